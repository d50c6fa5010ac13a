"""Clean controls: code that looks risky (or is ordinary) but traces correctly.

An audit must stay silent on every traced file here; each one is checked to
match eager Python on all probes.  None of these classes has a `# lost:`
marker.
"""

from typing import Dict

import torch
from torch import nn

from .spec import Pitfall, positive_example


class PlainMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    def forward(self, x):
        return self.net(x)


class StaticFlagResidual(nn.Module):
    """Branches on a Python bool fixed in __init__: the same every call."""

    def __init__(self, residual: bool = True):
        super().__init__()
        self.residual = residual
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        if self.residual:
            return x + self.linear(x)
        return self.linear(x)


class ViewFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, x):
        return self.linear(x.view(x.size(0), -1))


class ReshapeFlatten(nn.Module):
    def forward(self, x):
        return torch.softmax(x.reshape(x.shape[0], -1), dim=-1)


class SameBothBranches(nn.Module):
    """A data-dependent `if` whose branches compute the same value."""

    def forward(self, x):
        if x.sum() > 0:
            y = x * 2
        else:
            y = x + x
        return y


class TorchWhereGate(nn.Module):
    """The gate written as tensor ops: both sides stay in the graph."""

    def forward(self, x):
        return torch.where(x.sum() > 0, x, -x)


@torch.jit.script_if_tracing
def _gate(x: torch.Tensor) -> torch.Tensor:
    if bool(x.sum() > 0):
        return x
    return -x


class ScriptIfTracingGate(nn.Module):
    """The gate compiled by @script_if_tracing: the `if` survives tracing."""

    def forward(self, x):
        return _gate(x) * 2


class InplaceInputAdd(nn.Module):
    def forward(self, x):
        x.add_(1)
        return x * 2


class InplaceBufferAccumulate(nn.Module):
    """Like inplace_buffer_data but without .data: aten::add_ is recorded."""

    def __init__(self):
        super().__init__()
        self.register_buffer("total", torch.zeros(1))

    def forward(self, x):
        self.total.add_(x.sum())
        return x / (1 + self.total)


class DictOutput(nn.Module):
    def forward(self, x) -> Dict[str, torch.Tensor]:
        return {"sum": x.sum(1), "max": x.amax(1)}


class ShapeArithmetic(nn.Module):
    """Sizes used as tensors: under tracing x.size(i) is a traced value."""

    def forward(self, x):
        scale = torch.tensor(x.shape[-1]) ** 0.5
        offsets = torch.arange(x.size(1)) * x.size(0)
        return x / scale + offsets


PITFALLS = [
    Pitfall("ctrl_mlp", PlainMLP, positive_example, "plain MLP: nothing to lose"),
    Pitfall("ctrl_static_flag", StaticFlagResidual, positive_example,
            "branch on a bool attribute set in __init__: constant per module, traced "
            "correctly"),
    Pitfall("ctrl_view_flatten", ViewFlatten, lambda: (torch.rand(3, 2, 2),),
            "`x.view(x.size(0), -1)`: size(0) stays a traced value, any batch size works"),
    Pitfall("ctrl_reshape_flatten", ReshapeFlatten, positive_example,
            "`x.reshape(x.shape[0], -1)`: shape[0] stays a traced value"),
    Pitfall("ctrl_same_branches", SameBothBranches, lambda: (torch.randn(3, 4),),
            "data-dependent `if` whose branches compute the same value: the frozen "
            "trace is still correct for every input"),
    Pitfall("ctrl_torch_where", TorchWhereGate, positive_example,
            "the gate as torch.where: data-dependent selection kept in the graph"),
    Pitfall("ctrl_script_if_tracing", ScriptIfTracingGate, positive_example,
            "the gate in a @torch.jit.script_if_tracing function: its prim::If is kept"),
    Pitfall("ctrl_inplace_input", InplaceInputAdd, positive_example,
            "`x.add_(1)` on an input: recorded as aten::add_, traced correctly"),
    Pitfall("ctrl_inplace_buffer", InplaceBufferAccumulate, positive_example,
            "`self.total.add_(...)` on a buffer: recorded as aten::add_ on the attribute, "
            "so the traced file keeps accumulating like eager (its saved buffer already "
            "includes the tracing call's update)"),
    Pitfall("ctrl_dict_output", DictOutput, positive_example,
            "dict output with fixed keys, traced with strict=False: prim::DictConstruct",
            strict=False),
    Pitfall("ctrl_shape_arithmetic", ShapeArithmetic, positive_example,
            "`torch.tensor(x.shape[-1])`, `torch.arange(x.size(1))`, `* x.size(0)`: sizes "
            "flow through the graph (aten::size, prim::NumToTensor), unlike len(x) or "
            "torch.tensor([x.size(0), x.size(1)])"),
]
