"""Pitfalls: tensor values turned into Python numbers or baked constant tensors.

Once a value leaves the tensor world (.item(), int(), float(), .tolist(),
.numpy(), len()) the tracer records the number it had, not how it was made.
"""

from typing import List

import torch
from torch import nn

from .spec import Pitfall, positive_example


class ItemNormalize(nn.Module):
    def forward(self, x):
        peak = x.abs().max().item()  # lost: python-number
        return x / peak


class IntArgmaxShift(nn.Module):
    def forward(self, x):
        k = int(x.argmax())  # lost: python-number
        return x - x.flatten()[k]


class FloatMeanCenter(nn.Module):
    def forward(self, x):
        mean = float(x.mean())  # lost: python-number
        return x - mean


class TolistFirst(nn.Module):
    def forward(self, x):
        rows: List[List[float]] = x.tolist()  # lost: python-number
        return x - rows[0][0]


class NumpyMeanCenter(nn.Module):
    def forward(self, x):
        mean = x.detach().numpy().mean()  # lost: python-number
        return x - float(mean)


class LenBatchMean(nn.Module):
    def forward(self, x):
        # Unlike x.shape[0], len(x) is a plain int under tracing.
        return x.sum(0) / len(x)  # lost: python-number


class SizeTensorScale(nn.Module):
    def forward(self, x):
        sizes = torch.tensor([x.size(0), x.size(1)], dtype=torch.float32)  # lost: constant-tensor
        return x / sizes.sum()


class PositionOffsets(nn.Module):
    def forward(self, x):
        positions = torch.tensor([float(i) for i in range(x.size(1))])  # lost: constant-tensor
        return x + positions


PITFALLS = [
    Pitfall("number_item", ItemNormalize, positive_example,
            "`.item()` of the peak becomes a constant divisor"),
    Pitfall("number_int_argmax", IntArgmaxShift, positive_example,
            "`int(x.argmax())` becomes a constant index"),
    Pitfall("number_float_mean", FloatMeanCenter, positive_example,
            "`float(x.mean())` becomes a constant subtrahend"),
    Pitfall("number_tolist", TolistFirst, positive_example,
            "`x.tolist()[0][0]` becomes a constant subtrahend"),
    Pitfall("number_numpy", NumpyMeanCenter, positive_example,
            "`.numpy().mean()` is computed outside torch and becomes a constant",
            scriptable=False),   # TorchScript has no .numpy()
    Pitfall("number_len", LenBatchMean, positive_example,
            "`len(x)` is a Python int under tracing (x.shape[0] would not be): the "
            "divisor stays 3"),
    Pitfall("const_tensor_sizes", SizeTensorScale, positive_example,
            "`torch.tensor([x.size(0), x.size(1)])` is recorded as a constant tensor "
            "holding [3, 4]"),
    Pitfall("const_tensor_positions", PositionOffsets, positive_example,
            "`torch.tensor([...for i in range(x.size(1))])` is recorded as the constant "
            "[0, 1, 2, 3]"),
]
