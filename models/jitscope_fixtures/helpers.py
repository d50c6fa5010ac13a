"""A helper with a data-dependent `if`, called from several places.

The scripted reference inlines one prim::If per call at the helper's one
line; the audit merges them into one finding there and keeps the
reference's "agrees" note once (regression: it was repeated per call).
"""

import torch
from torch import nn

from .output import GroupResult, OutDir, save_pair, script, seed_everything, trace


def gate(x):
    if x.sum() > 0:
        return x
    return -x


class FourGates(nn.Module):
    def forward(self, x):
        a = gate(x)
        b = gate(x * 2)
        c = gate(x - 1)
        d = gate(x + 3)
        return a + b + c + d


def build(out: OutDir) -> GroupResult:
    seed_everything(0)
    model = FourGates().eval()
    inputs = (torch.rand(3, 4),)
    return GroupResult(save_pair(out, "four_gates", trace(model, inputs), script(model), inputs,
                                 prefix="helpers/"))
