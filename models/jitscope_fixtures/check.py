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

import collections
import warnings
from typing import Dict, List

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


class ListIO(nn.Module):
    """forward(List[Tensor]) -> List[Tensor], as detection models take: a
    one-element list is pickled with APPEND (issue 18)."""

    def forward(self, xs: List[torch.Tensor]) -> List[torch.Tensor]:
        return [xs[0] * 2.0]


class OneDict(nn.Module):
    """forward(x) -> Dict[str, Tensor] with one entry, as DeepLabV3's
    {'out': ...}: torch.save writes SETITEM for it, and the eager model's
    OrderedDict as collections.OrderedDict (issue 18)."""

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"out": torch.relu(x) + 1.0}


class NestedIO(nn.Module):
    """Dicts of lists in and out: every pickle form LibTorch 1.13 lacks."""

    def forward(self, d: Dict[str, List[torch.Tensor]]) -> Dict[str, List[torch.Tensor]]:
        return {"a": [d["a"][0] + 1.0], "b": [d["b"][0], d["b"][1] * 3.0]}


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


class NothingFound(nn.Module):
    """A detector that finds nothing: the scores above a threshold no random
    input reaches, an empty tensor out (an untrained RetinaNet's detections
    are; snapshot's digest of it ended jitscope with SIGSEGV)."""

    def forward(self, x):
        return x[x > 2.0], x.sum()


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
    # Pickle forms LibTorch 1.13's unpickler lacks (APPEND, SETITEM,
    # OrderedDict), in inputs and expected outputs (issue 18).
    seed_everything(0)
    x = torch.randn(2, 3)
    out.save_tensors(([x],), "check/inputs/list_io.pt")
    out.save_tensors([x * 2.0], "check/expected/list_io.pt")
    out.save_module(script(ListIO()), "check/list_io.scripted.pt")
    result.artifacts.append(Artifact("check/list_io.scripted.pt", "scripted", "check/inputs/list_io.pt"))
    out.save_tensors({"x": x}, "check/inputs/one_dict.pt")
    one = {"out": torch.relu(x) + 1.0}
    out.save_tensors(one, "check/expected/one_dict.pt")
    out.save_tensors(collections.OrderedDict(one), "check/expected/one_dict.ordered.pt")
    out.save_tensors(collections.OrderedDict(_perturbed_copy(one)), "check/expected/one_dict.ordered.perturbed.pt")
    state = collections.OrderedDict(one)
    state._metadata = collections.OrderedDict(version=1)  # as state_dict() writes: BUILD
    out.save_tensors(state, "check/expected/one_dict.ordered.metadata.pt")
    out.save_module(script(OneDict()), "check/one_dict.scripted.pt")
    out.save_module(trace(OneDict(), (x,), strict=False), "check/one_dict.traced.pt")
    for kind in ("scripted", "traced"):
        result.artifacts.append(Artifact(f"check/one_dict.{kind}.pt", kind, "check/inputs/one_dict.pt"))
    y = torch.randn(4)
    out.save_tensors(({"a": [x], "b": [y, y]},), "check/inputs/nested_io.pt")
    out.save_tensors(collections.OrderedDict(a=[x + 1.0], b=collections.OrderedDict(c=[y * 3.0])),
                     "check/expected/nested_io.wrong_type.pt")
    out.save_tensors(collections.OrderedDict(a=[x + 1.0], b=[y, y * 3.0]), "check/expected/nested_io.pt")
    out.save_module(script(NestedIO()), "check/nested_io.scripted.pt")
    result.artifacts.append(Artifact("check/nested_io.scripted.pt", "scripted", "check/inputs/nested_io.pt"))
    out.save_tensors((torch.rand(5),), "check/inputs/nothing_found.pt")
    out.save_module(script(NothingFound()), "check/nothing_found.scripted.pt")
    result.artifacts.append(Artifact("check/nothing_found.scripted.pt", "scripted", "check/inputs/nothing_found.pt"))
    result.note = (f"one weight of {PERTURBED_MODULE} changed; dict inputs and outputs; a defaulted int argument; "
                   "a model that warns; one-element lists, one-entry dicts and OrderedDicts in inputs and outputs")
    return result
