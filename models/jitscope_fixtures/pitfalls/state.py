"""Pitfalls: state changed in forward that the trace does not record.

Python attributes live outside the graph, and in-place writes through
`.data` (or numpy) bypass the tracer, so the saved file never updates them.
Plain in-place ops (x.add_, buffer.add_) *are* recorded: see controls.py.
"""

from typing import Dict

import torch
from torch import nn

from .spec import Pitfall


class CallCounter(nn.Module):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1  # lost: python-state
        return x * self.calls


class ScaleCache(nn.Module):
    cache: Dict[str, torch.Tensor]

    def __init__(self):
        super().__init__()
        self.cache = {}

    def forward(self, x):
        if "scale" not in self.cache:
            self.cache["scale"] = x.abs().max()  # lost: python-state
        return x / self.cache["scale"]


class BufferDataAccumulate(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("total", torch.zeros(1))

    def forward(self, x):
        self.total.data.add_(x.sum())  # lost: inplace-update
        return x / (1 + self.total)


class InputDataScale(nn.Module):
    def forward(self, x):
        x.data.mul_(2)  # lost: inplace-update
        return x + 1


PITFALLS = [
    Pitfall("state_counter", CallCounter, lambda: (torch.rand(3, 4),),
            "`self.calls += 1` is Python state: the traced file multiplies by the value 1 "
            "it had during tracing, while the eager counter keeps growing; verified "
            "against the eager module after the tracing call"),
    Pitfall("state_cache_dict", ScaleCache, lambda: (torch.rand(3, 4),),
            "a dict cache filled on the first call: eager reuses the cached scale, the "
            "traced file recomputes it from every input; verified on inputs other than "
            "the one that filled the cache"),
    Pitfall("inplace_buffer_data", BufferDataAccumulate, lambda: (torch.rand(3, 4),),
            "`self.total.data.add_(...)` writes around the tracer: the traced file never "
            "updates its buffer (contrast ctrl_inplace_buffer)"),
    Pitfall("inplace_input_data", InputDataScale, lambda: (torch.rand(3, 4),),
            "`x.data.mul_(2)` writes around the tracer: the traced file returns x + 1 of "
            "the unscaled input (contrast ctrl_inplace_input)"),
]
