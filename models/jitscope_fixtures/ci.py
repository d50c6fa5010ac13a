"""Export pairs for `jitscope snapshot` / `jitscope diff` (the CI guardrail).

One small scripted model, Gate, exported several ways into ci/:
  gate.scripted.pt           the baseline
  gate.resaved.scripted.pt   the same weights scripted and saved again: a new
                             export that must have the same snapshot
  gate.weight.scripted.pt    one weight changed (outputs and a parameter differ)
  gate.extra_op.scripted.pt  a relu added before the output (an op added)
  gate.traced.pt             traced instead of scripted: the `if` is lost
  gate.schema.scripted.pt    forward's argument renamed (schema changed only)
and ci/inputs/gate.pt, the recorded reference input.
"""

import torch
from torch import nn

from .output import Artifact, FixtureError, GroupResult, OutDir, script, seed_everything, trace

SEED = 3


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        y = self.linear(x)
        if y.sum() > 0:
            y = y * 2
        else:
            y = -y
        return torch.tanh(y)


class GateExtraOp(Gate):
    def forward(self, x):
        y = self.linear(x)
        if y.sum() > 0:
            y = y * 2
        else:
            y = -y
        return torch.tanh(torch.relu(y))


class GateRenamed(Gate):
    def forward(self, features):
        y = self.linear(features)
        if y.sum() > 0:
            y = y * 2
        else:
            y = -y
        return torch.tanh(y)


def _make(cls):
    seed_everything(SEED)
    return cls()


def build(out: OutDir) -> GroupResult:
    seed_everything(SEED)
    x = torch.rand(3, 4)
    inputs_rel = "ci/inputs/gate.pt"
    out.save_tensors((x,), inputs_rel)

    variants = {
        "gate.scripted.pt": ("scripted", script(_make(Gate))),
        "gate.resaved.scripted.pt": ("scripted", script(_make(Gate))),
        "gate.extra_op.scripted.pt": ("scripted", script(_make(GateExtraOp))),
        "gate.schema.scripted.pt": ("scripted", script(_make(GateRenamed))),
        "gate.traced.pt": ("traced", trace(_make(Gate), (x,))),
    }
    changed = _make(Gate)
    with torch.no_grad():
        changed.linear.weight[0, 0] += 0.5
    variants["gate.weight.scripted.pt"] = ("scripted", script(changed))

    with torch.no_grad():
        base = variants["gate.scripted.pt"][1](x)
        if not torch.equal(base, variants["gate.resaved.scripted.pt"][1](x)):
            raise FixtureError("ci: re-scripting Gate changed its output")
        if torch.allclose(base, variants["gate.weight.scripted.pt"][1](x)):
            raise FixtureError("ci: the changed weight does not change the output; pick another SEED")
    artifacts = []
    for name, (kind, module) in variants.items():
        rel = f"ci/{name}"
        out.save_module(module, rel)
        artifacts.append(Artifact(rel, kind, inputs_rel))
    return GroupResult(artifacts)
