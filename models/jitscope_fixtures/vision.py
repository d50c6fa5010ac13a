"""Real-world CNNs from torchvision (random weights: the build has no network)."""

import torch
import torchvision

from .output import GroupResult, OutDir, save_pair, script, seed_everything, trace

_MODELS = {
    "resnet18": torchvision.models.resnet18,
    "mobilenet_v3_small": torchvision.models.mobilenet_v3_small,
}


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    for name, factory in _MODELS.items():
        seed_everything(0)
        model = factory(weights=None).eval()
        inputs = (torch.rand(1, 3, 224, 224),)
        result.artifacts += save_pair(out, name, trace(model, inputs), script(model), inputs)
    return result
