"""Traced models that create tensors with or without naming a device.

The tracer records every device a factory op resolved as a constant (Note
[What the tracer pins] in validators/src/device_checks.cpp), so a trace made
on the CPU keeps making CPU tensors when served on CUDA (pytorch/pytorch
#62961, #31141; huggingface/transformers#5664). Each class below is one case
of the audit's trace-baked-device check; tests/unit/test_device_checks.cpp
finds its lines by the `# device:` comments, which say what the audit should
report there. Only CUDA shows the failures, so the pairs are only checked to
agree on the CPU example.

`devices/nosource/` holds ArangeFromInput traced from a copy of this file
that is deleted afterwards: the IR-only case.
"""

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

from .output import Artifact, GroupResult, OutDir, save_pair, seed_everything, script, trace


class ArangeFromInput(nn.Module):
    def forward(self, x):
        positions = torch.arange(x.size(1), device=x.device)  # device: from-tensor
        return x + positions


class ZerosNoDevice(nn.Module):
    def forward(self, x):
        bias = torch.zeros(4)  # device: absent
        return x + bias


class ZerosLiteralCpu(nn.Module):
    def forward(self, x):
        bias = torch.zeros(4, device="cpu")  # device: literal
        return x + bias


class NoDeviceOps(nn.Module):
    def forward(self, x):
        return torch.relu(x * 2 + 1)  # device: none


class OnesLike(nn.Module):
    def forward(self, x):
        return x + torch.ones_like(x)  # device: follows-input


class RandnToDevice(nn.Module):
    def forward(self, x):
        noise = torch.randn(4).to(x.device)  # device: two-ops
        return x + noise


class ZerosTypeAs(nn.Module):
    def forward(self, x):
        bias = torch.zeros(4).type_as(x)  # device: moved-by-graph
        return x + bias


class MultiLineArange(nn.Module):
    def forward(self, x):
        positions = torch.arange(  # device: multi-line
            x.size(1),
            device=x.device,
        )
        return x + positions


MODELS = (ArangeFromInput, ZerosNoDevice, ZerosLiteralCpu, NoDeviceOps, OnesLike, RandnToDevice,
          ZerosTypeAs, MultiLineArange)


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _traced_without_source(out: OutDir) -> Artifact:
    folder = Path(tempfile.mkdtemp(prefix="jitscope-devices-"))
    try:
        path = folder / "vanished_devices.py"
        path.write_text(Path(__file__).read_text().replace("from .output import", "from jitscope_fixtures.output import"))
        spec = importlib.util.spec_from_file_location("vanished_devices", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["vanished_devices"] = module
        spec.loader.exec_module(module)
        rel = "devices/nosource/arange_from_input.traced.pt"
        out.save_module(trace(module.ArangeFromInput().eval(), (torch.rand(3, 4),)), rel)
        return Artifact(rel, "traced", None)
    finally:
        sys.modules.pop("vanished_devices", None)
        shutil.rmtree(folder)


def build(out: OutDir) -> GroupResult:
    artifacts = []
    for cls in MODELS:
        seed_everything(0)
        model = cls().eval()
        inputs = (torch.rand(3, 4),)
        if cls is RandnToDevice:  # random: the pair agrees only in distribution
            rel = f"devices/{_snake(cls.__name__)}.traced.pt"
            out.save_module(trace(model, inputs), rel)
            artifacts.append(Artifact(rel, "traced", None))
            continue
        artifacts += save_pair(out, _snake(cls.__name__), trace(model, inputs), script(model), inputs,
                               prefix="devices/")
    artifacts.append(_traced_without_source(out))
    return GroupResult(artifacts, note=f"{len(MODELS)} device cases and one without source")
