"""Pitfalls: behaviour that depends on train/eval mode or on random draws.

The trace records the mode and the draws of its one run; switching the
loaded module's mode afterwards changes nothing in its graph.
"""

import torch
from torch import nn

from .spec import Pitfall


class TrainOnlyScale(nn.Module):
    def forward(self, x):
        if self.training:  # lost: training-branch
            return x * 0.5
        return x


class EvalOnlyClamp(nn.Module):
    def forward(self, x):
        if not self.training:
            x = x.clamp(-1, 1)
        return x * 2


class BatchNormTrain(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(x)  # lost: training-branch


class DropoutTrain(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(x) * 2  # lost: random-op


class RandomFlip(nn.Module):
    """Random augmentation: the coin is tossed once, at trace time."""

    def forward(self, x):
        if torch.rand(1).item() < 0.5:  # lost: random-op
            x = x.flip(-1)
        return x


PITFALLS = [
    Pitfall("training_branch_train", TrainOnlyScale, lambda: (torch.rand(3, 4),),
            "`if self.training` traced in training mode: the traced file keeps scaling "
            "after .eval(); verified with the 'after .eval()' probe",
            train=True, counterexample="after .eval()"),
    Pitfall("training_branch_eval", EvalOnlyClamp, lambda: (torch.randn(3, 4) * 2,),
            "clean control: `if not self.training` traced in eval mode keeps the eval branch, "
            "which is what deployment runs (the archive records training=False, so the audit "
            "reads the condition as static); the torchvision pattern of GoogLeNet/Inception "
            "aux heads"),
    Pitfall("batchnorm_train", BatchNormTrain, lambda: (torch.randn(3, 4),),
            "nn.BatchNorm1d traced in training mode: aten::batch_norm records "
            "training=True, so the traced file keeps using batch statistics after "
            ".eval(); verified with the 'after .eval()' probe (batch size 1 also "
            "diverges: BatchNorm's Python-side batch-size check is not traced)",
            train=True, counterexample="after .eval()"),
    Pitfall("dropout_train", DropoutTrain, lambda: (torch.rand(3, 4),),
            "nn.Dropout traced in training mode: aten::dropout records train=True, so the "
            "traced file still drops after .eval(); eager and traced draw the same masks "
            "under equal seeds, so only the 'after .eval()' probe shows it",
            train=True, counterexample="after .eval()"),
    Pitfall("random_flip", RandomFlip, lambda: (torch.rand(3, 4),),
            "`if torch.rand(1).item() < 0.5` is decided once at trace time: the traced "
            "file always flips (or never does); verified by re-seeding before every call, "
            "so eager's coin lands differently on some probe while the file's does not"),
]
