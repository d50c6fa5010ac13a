"""The classic tracing example: MyCell, whose gate is frozen by torch.jit.trace.

This is the example from the PyTorch TorchScript tutorial (and the seed
article): the gate's ``if`` depends on tensor values, so tracing records only
the branch the example input took, while scripting keeps both.
"""

import torch
from torch import nn

from .output import FixtureError, GroupResult, OutDir, save_pair, script, seed_everything, trace

# Seed 0 makes linear(x).sum() negative for positive x, which would freeze the
# gate's *negating* branch.  Seed 1 gives the positive sum the fixture is
# meant to show (the trace keeps `return x`); build() asserts it.
SEED = 1


class MyDecisionGate(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        else:
            return -x


class MyCell(nn.Module):
    def __init__(self, dg=None):
        super().__init__()
        # `dg` lets mixing.py put a scripted gate inside a traced cell.
        self.dg = MyDecisionGate() if dg is None else dg
        self.linear = nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = torch.tanh(self.dg(self.linear(x)) + h)
        return new_h, new_h


def make_cell_and_inputs(dg=None):
    """A seeded MyCell and its positive example inputs (x, h), each 3x4."""
    seed_everything(SEED)
    cell = MyCell(dg)
    x, h = torch.rand(3, 4), torch.rand(3, 4)
    return cell, (x, h)


def build(out: OutDir) -> GroupResult:
    cell, inputs = make_cell_and_inputs()
    if not cell.linear(inputs[0]).sum() > 0:
        raise FixtureError("my_cell: the example no longer takes the gate's `return x` "
                           "branch; pick another SEED in classic.py")
    traced = trace(cell, inputs)
    scripted = script(cell)
    # The fixture's point, checked before anyone relies on it.
    assert "prim::If" not in str(traced.inlined_graph)
    assert "prim::If" in str(scripted.inlined_graph)
    return GroupResult(save_pair(out, "my_cell", traced, scripted, inputs))
