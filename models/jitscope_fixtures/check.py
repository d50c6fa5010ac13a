"""Fixtures for `jitscope check`: a model with one weight changed, and a model
with dict inputs and dict outputs, each with inputs and expected outputs.

- ``check/resnet18.scripted.pt`` and ``check/resnet18_layer3_0_conv2.scripted.pt``:
  the same random-weight ResNet18, the second with one element of
  ``layer3.0.conv2.weight`` changed, so ``check --localize`` must name
  ``layer3.0.conv2`` as where the outputs start to differ.
- ``check/dict_io.scripted.pt``: ``forward(x, scale) -> Dict[str, Tensor]``,
  with inputs saved as a dict keyed by argument name.
- ``check/expected/*.pt``: outputs of the unchanged models (torch.save), and a
  copy with one element perturbed.
"""

import warnings
from typing import Dict

import torch
import torchvision
from torch import nn

from .output import Artifact, GroupResult, OutDir, script, seed_everything, trace

PERTURBED_MODULE = "layer3.0.conv2"


class DictIO(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor, scale: torch.Tensor) -> Dict[str, torch.Tensor]:
        logits = self.proj(x) * scale
        return {"logits": logits, "probs": torch.softmax(logits, dim=-1)}


class DefaultedFlow(nn.Module):
    """RAFT's shape of forward (torchvision raft.py: `num_flow_updates: int =
    12`): the trace takes (a, b), the scripted export (a, b, n=12); an inputs
    file of two tensors must fit both (issue 18)."""

    def forward(self, a: torch.Tensor, b: torch.Tensor, num_flow_updates: int = 12) -> torch.Tensor:
        out = a - b
        for _ in range(num_flow_updates):
            out = out * 0.5 + a
        return out


class Warns(nn.Module):
    """Calls warnings.warn in scripted code (aten::warn), as torchvision's
    and torchaudio's models do for deprecated arguments (issue 18)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        warnings.warn("the 'x' argument is deprecated; pass 'inputs'")
        return x + 1


def _perturbed_copy(outputs):
    """The outputs with one element of the first tensor moved by 1e-2."""
    if isinstance(outputs, dict):
        copy = {k: v.clone() for k, v in outputs.items()}
        first = next(iter(copy))
        copy[first].view(-1)[3] += 1e-2
        return copy
    copy = outputs.clone()
    copy.view(-1)[7] += 1e-2
    return copy


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    seed_everything(0)
    model = torchvision.models.resnet18(weights=None).eval()
    inputs = (torch.rand(1, 3, 224, 224),)
    out.save_tensors(inputs, "check/inputs/resnet18.pt")
    with torch.no_grad():
        expected = model(*inputs)
    out.save_tensors(expected, "check/expected/resnet18.pt")
    out.save_tensors(_perturbed_copy(expected), "check/expected/resnet18.perturbed.pt")
    out.save_module(script(model), "check/resnet18.scripted.pt")
    result.artifacts.append(Artifact("check/resnet18.scripted.pt", "scripted", "check/inputs/resnet18.pt"))

    with torch.no_grad():
        model.get_submodule(PERTURBED_MODULE).weight[0, 0, 1, 1] += 1.0
    name = "check/resnet18_" + PERTURBED_MODULE.replace(".", "_") + ".scripted.pt"
    out.save_module(script(model), name)
    result.artifacts.append(Artifact(name, "scripted", "check/inputs/resnet18.pt"))

    seed_everything(0)
    dict_model = DictIO().eval()
    dict_inputs = {"x": torch.randn(2, 8), "scale": torch.full((1,), 2.0)}
    out.save_tensors(dict_inputs, "check/inputs/dict_io.pt")
    with torch.no_grad():
        dict_expected = dict_model(**dict_inputs)
    out.save_tensors(dict_expected, "check/expected/dict_io.pt")
    out.save_tensors(_perturbed_copy(dict_expected), "check/expected/dict_io.perturbed.pt")
    out.save_module(script(dict_model), "check/dict_io.scripted.pt")
    result.artifacts.append(Artifact("check/dict_io.scripted.pt", "scripted", "check/inputs/dict_io.pt"))

    flow = DefaultedFlow().eval()
    flow_inputs = (torch.rand(1, 2, 4, 4), torch.rand(1, 2, 4, 4))
    out.save_tensors(flow_inputs, "check/inputs/defaulted_flow.pt")
    out.save_module(script(flow), "check/defaulted_flow.scripted.pt")
    out.save_module(trace(flow, flow_inputs), "check/defaulted_flow.traced.pt")
    for kind in ("scripted", "traced"):
        result.artifacts.append(Artifact(f"check/defaulted_flow.{kind}.pt", kind, "check/inputs/defaulted_flow.pt"))
    out.save_tensors((torch.rand(3),), "check/inputs/warns.pt")
    out.save_module(script(Warns()), "check/warns.scripted.pt")
    result.artifacts.append(Artifact("check/warns.scripted.pt", "scripted", "check/inputs/warns.pt"))
    result.note = (f"one weight of {PERTURBED_MODULE} changed; dict inputs and outputs; a defaulted int argument; "
                   "a model that warns")
    return result
