"""Models that mix tracing and scripting, as the TorchScript tutorial does.

- mixing_script_calls_trace.pt: a scripted loop whose body is a traced cell.
- mixing_trace_calls_script.pt: a traced cell whose gate is scripted, so the
  gate's data-dependent ``if`` survives tracing.
"""

from typing import Tuple

import torch
from torch import nn

from .classic import MyDecisionGate, make_cell_and_inputs
from .output import Artifact, GroupResult, OutDir, script, seed_everything, trace


class MyRNNLoop(nn.Module):
    """Scripted: the loop count follows the input, each step calls a traced cell."""

    def __init__(self, traced_cell):
        super().__init__()
        self.cell = traced_cell

    def forward(self, xs) -> Tuple[torch.Tensor, torch.Tensor]:
        h = torch.zeros_like(xs[0])
        y = torch.zeros_like(xs[0])
        for i in range(xs.size(0)):
            y, h = self.cell(xs[i], h)
        return y, h


def _script_calls_trace():
    cell, cell_inputs = make_cell_and_inputs()
    traced_cell = trace(cell, cell_inputs)
    seed_everything(0)
    xs = torch.rand(10, 3, 4)
    return script(MyRNNLoop(traced_cell)), (xs,)


def _trace_calls_script():
    cell, inputs = make_cell_and_inputs(dg=script(MyDecisionGate()))
    return trace(cell, inputs), inputs


# name -> (maker, the node kind that proves the mix worked)
_MODELS = {
    "mixing_script_calls_trace": (_script_calls_trace, "prim::Loop"),
    "mixing_trace_calls_script": (_trace_calls_script, "prim::If"),
}


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    for name, (make, must_have) in _MODELS.items():
        module, inputs = make()
        assert must_have in str(module.inlined_graph), f"{name}: no {must_have}"
        rel, inputs_rel = f"{name}.pt", f"inputs/{name}.pt"
        out.save_tensors(tuple(inputs), inputs_rel)
        out.save_module(module, rel)
        result.artifacts.append(Artifact(rel, "mixed", inputs_rel))
    return result
