"""Pitfalls: loops whose trip count comes from data or shapes; tracing unrolls them."""

from typing import List

import torch
from torch import nn

from .spec import Pitfall, positive_example


class HalveWhileLarge(nn.Module):
    def forward(self, x):
        while x.norm() > 1:  # lost: data-dependent-loop
            x = x / 2
        return x


class RepeatIntCount(nn.Module):
    def forward(self, x, n):
        for _ in range(int(n)):  # lost: data-dependent-loop
            x = x * 0.5 + 1
        return x


class RepeatItemCount(nn.Module):
    def forward(self, x, n):
        for _ in range(n.item()):  # lost: data-dependent-loop
            x = torch.sin(x) + x
        return x


class CumulativeRows(nn.Module):
    def forward(self, x):
        acc = torch.zeros_like(x[0])
        rows: List[torch.Tensor] = []
        for i in range(x.size(0)):  # lost: shape-dependent-loop
            acc = acc + x[i]
            rows.append(acc)
        return torch.stack(rows)


class WeightedByIndex(nn.Module):
    def forward(self, x):
        return torch.stack([x[i] * i for i in range(len(x))])  # lost: shape-dependent-loop


class RowIteration(nn.Module):
    def forward(self, x):
        total = torch.zeros(x.size(1))
        for row in x:  # lost: tensor-iteration
            total = total + row.max() * row
        return total


class ZipPairs(nn.Module):
    def forward(self, x, y):
        out = torch.zeros(x.size(1))
        for a, b in zip(x, y):  # lost: tensor-iteration
            out = out + a * b
        return out


def _with_count():
    return torch.rand(3, 4), torch.tensor(2)


PITFALLS = [
    Pitfall("loop_while_norm", HalveWhileLarge, lambda: (torch.rand(3, 4) * 2,),
            "`while x.norm() > 1` ran a fixed number of times for the example; larger "
            "inputs are not halved enough"),
    Pitfall("loop_range_int", RepeatIntCount, _with_count,
            "`for _ in range(int(n))` with n = 2: the trace always runs 2 iterations"),
    Pitfall("loop_range_item", RepeatItemCount, _with_count,
            "`for _ in range(n.item())` with n = 2: the trace always runs 2 iterations",
            scriptable=False),   # TorchScript: range() needs int, item() returns a number
    Pitfall("loop_range_size", CumulativeRows, positive_example,
            "`for i in range(x.size(0))` unrolled for batch 3: other batch sizes fail or "
            "drop rows"),
    Pitfall("loop_len_comprehension", WeightedByIndex, positive_example,
            "list comprehension over `range(len(x))` unrolled for batch 3"),
    Pitfall("iter_rows", RowIteration, positive_example,
            "`for row in x` unrolled into exactly 3 rows (aten::unbind + ListUnpack)"),
    Pitfall("iter_zip_pairs", ZipPairs, lambda: (torch.rand(3, 4), torch.rand(3, 4)),
            "`for a, b in zip(x, y)` unrolled into exactly 3 pairs"),
]
