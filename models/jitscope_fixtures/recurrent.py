"""A recurrent model with a Python time loop: tracing unrolls it, scripting keeps it.

The traced file therefore has one copy of the cell per example time step
(and no prim::Loop); the scripted file has a prim::Loop over x.size(0).
"""

from typing import List, Tuple

import torch
from torch import nn

from .output import GroupResult, OutDir, save_pair, script, seed_everything, trace

TIME_STEPS, BATCH, FEATURES, HIDDEN = 5, 2, 8, 16


class ElmanRNN(nn.Module):
    def __init__(self, input_size: int = FEATURES, hidden_size: int = HIDDEN):
        super().__init__()
        self.hidden_size = hidden_size
        self.input_to_hidden = nn.Linear(input_size, hidden_size)
        self.hidden_to_hidden = nn.Linear(hidden_size, hidden_size, bias=False)

    def forward(self, x) -> Tuple[torch.Tensor, torch.Tensor]:
        """x: (time, batch, features) -> (all hidden states, last hidden state)."""
        h = torch.zeros(x.size(1), self.hidden_size, dtype=x.dtype)
        outputs: List[torch.Tensor] = []
        for t in range(x.size(0)):
            h = torch.tanh(self.input_to_hidden(x[t]) + self.hidden_to_hidden(h))
            outputs.append(h)
        return torch.stack(outputs), h


def build(out: OutDir) -> GroupResult:
    seed_everything(0)
    model = ElmanRNN().eval()
    inputs = (torch.rand(TIME_STEPS, BATCH, FEATURES),)
    traced, scripted = trace(model, inputs), script(model)
    assert "prim::Loop" not in str(traced.inlined_graph)
    assert "prim::Loop" in str(scripted.inlined_graph)
    return GroupResult(save_pair(out, "recurrent", traced, scripted, inputs))
