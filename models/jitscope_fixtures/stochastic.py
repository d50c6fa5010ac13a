"""Dropout and batch norm in training mode: by mistake, or on purpose.

A model traced in training mode records aten::dropout(train=True) and
aten::batch_norm(training=True) from its nn.Dropout / nn.BatchNorm modules:
the traced file keeps drawing masks and using batch statistics after
.eval() (the pitfalls `dropout_train` and `batchnorm_train`). The same ops
also come from code that asks for them in eval mode (Monte-Carlo dropout,
F.batch_norm(training=True)); the trace then behaves as eager does. The
archive tells them apart by each module's recorded `training` attribute
(docs/checks/trace-random-op.md). These models are audited clean of
warnings; each has a scripted reference.
"""

import torch
import torch.nn.functional as F
from torch import nn

from .output import Artifact, FixtureError, GroupResult, OutDir, script, seed_everything, trace


class McDropout(nn.Module):
    """Monte-Carlo dropout: random on every call, by design."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.linear(x), 0.3, training=True)


class BatchStats(nn.Module):
    """Always normalizes with the batch's own statistics."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.zeros(4))
        self.register_buffer("var", torch.ones(4))

    def forward(self, x):
        return F.batch_norm(x, self.mean.clone(), self.var.clone(), training=True)


class ZeroDropout(nn.Module):
    """nn.Dropout(p=0) traced in training mode: drops nothing."""

    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        return self.drop(x) + 1


class SamplingHead(nn.Module):
    """The model in eval mode, its dropout submodule switched back to train."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        return self.drop(self.linear(x))


def build(out: OutDir) -> GroupResult:
    artifacts = []
    for name, make, train in (("mc_dropout", McDropout, False), ("batch_stats", BatchStats, False),
                              ("zero_dropout", ZeroDropout, True), ("sampling_head", SamplingHead, False)):
        seed_everything(0)
        model = make().train(train)
        if name == "sampling_head":
            model.drop.train()
        inputs = (torch.rand(3, 4),)
        traced, scripted = trace(model, inputs), script(model)
        # Equal seeds, equal draws: the trace behaves as the script (and eager).
        outputs = []
        for module in (model, traced, scripted):
            torch.manual_seed(0)
            with torch.no_grad():
                outputs.append(module(*inputs))
        if not all(torch.allclose(outputs[0], o, rtol=1e-4, atol=1e-5) for o in outputs[1:]):
            raise FixtureError(f"{name}: eager, traced and scripted outputs differ under one seed")
        inputs_rel = f"stochastic/inputs/{name}.pt"
        out.save_tensors(inputs, inputs_rel)
        for kind, module in (("traced", traced), ("scripted", scripted)):
            rel = f"stochastic/{name}.{kind}.pt"
            out.save_module(module, rel)
            artifacts.append(Artifact(rel, kind, inputs_rel))
    return GroupResult(artifacts)
