"""Pitfalls: branches on tensor values or shapes; the trace keeps one side only."""

import torch
from torch import nn

from .spec import Pitfall, positive_example


class SumSignGate(nn.Module):
    """The tutorial's decision gate."""

    def forward(self, x):
        if x.sum() > 0:  # lost: data-dependent-branch
            return x
        return -x


class ElifMaxNormalize(nn.Module):
    """An elif chain: the first test is static, the second reads tensor values."""

    def __init__(self):
        super().__init__()
        self.enabled = True

    def forward(self, x):
        if not self.enabled:
            return x
        elif x.max() > 1:  # lost: data-dependent-branch
            return x / x.max()
        else:
            return x


class TernaryMean(nn.Module):
    def forward(self, x):
        return x * 2 if x.mean() > 0 else x - 1  # lost: data-dependent-branch


class BoolAnyNegative(nn.Module):
    def forward(self, x):
        if bool((x < 0).any()):  # lost: data-dependent-branch
            x = x.clamp(min=0)
        return x + 1


class HelperStdNormalize(nn.Module):
    """The frozen branch sits in a helper method, not in forward."""

    def normalize(self, x):
        std = x.std()
        if std > 0.5:  # lost: data-dependent-branch
            return x / std
        return x

    def forward(self, x):
        return self.normalize(x) * 2


class BatchSizeBranch(nn.Module):
    def forward(self, x):
        if x.shape[0] > 2:  # lost: shape-dependent-branch
            return x - x.mean(0)
        return x


class WidthBranch(nn.Module):
    def forward(self, x):
        if x.size(1) == 4:  # lost: shape-dependent-branch
            return x * 2
        return x.flip(1)


PITFALLS = [
    Pitfall("branch_sum_sign", SumSignGate, positive_example,
            "`if x.sum() > 0` on a positive example: the trace always returns x, "
            "never -x"),
    Pitfall("branch_elif_max", ElifMaxNormalize, positive_example,
            "`elif x.max() > 1` false for the example (values in [0, 1)): the trace never "
            "normalizes larger inputs"),
    Pitfall("branch_ternary_mean", TernaryMean, positive_example,
            "`x * 2 if x.mean() > 0 else x - 1`: the trace keeps x * 2 only"),
    Pitfall("branch_bool_any", BoolAnyNegative, positive_example,
            "`if bool((x < 0).any())` false for the example: the trace never clamps"),
    Pitfall("branch_helper_std", HelperStdNormalize, positive_example,
            "`if std > 0.5` inside the helper normalize(): the trace never divides by std"),
    Pitfall("shape_branch_batch", BatchSizeBranch, positive_example,
            "`if x.shape[0] > 2` with batch 3: the trace centres every batch, even batch 1"),
    Pitfall("shape_branch_width", WidthBranch, positive_example,
            "`if x.size(1) == 4` with width 4: the trace doubles inputs of any width "
            "instead of flipping them"),
]
