"""Pitfalls: container outputs whose structure the trace fixes."""

from typing import List, NamedTuple

import torch
from torch import nn

from .spec import Pitfall


class SignedParts(NamedTuple):
    positive: torch.Tensor
    negative: torch.Tensor


class SplitChunks(nn.Module):
    def forward(self, x) -> List[torch.Tensor]:
        return list(torch.split(x, 2))  # lost: container-output


class NamedTupleOutput(nn.Module):
    def forward(self, x) -> SignedParts:
        return SignedParts(x.clamp(min=0), x.clamp(max=0))  # lost: container-output


PITFALLS = [
    Pitfall("container_split_list", SplitChunks, lambda: (torch.rand(3, 4),),
            "list output of torch.split, traced with strict=False: the list length is "
            "fixed at 2 chunks (prim::ListUnpack + ListConstruct)",
            strict=False),
    Pitfall("container_namedtuple", NamedTupleOutput, lambda: (torch.randn(3, 4),),
            "NamedTuple output: the traced file returns a plain tuple, losing the type "
            "and its field names (the scripted file keeps them)"),
]
