"""Traced models whose Python source is gone by the time they are audited.

A model exported on a CI runner or a colleague's laptop records source
paths that do not exist where it is inspected. The generator writes each
model's source to a temporary folder, imports it from there, traces it and
deletes the folder, so `jitscope audit` must fall back to what the IR shows:
ops repeated from one line (an unrolled loop), tensor constants baked in.
The clean control must stay free of such findings.
"""

import importlib.util
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import torch

from .output import Artifact, GroupResult, OutDir, seed_everything, trace

SOURCE = textwrap.dedent('''
    import torch
    from torch import nn


    class RowScan(nn.Module):
        def forward(self, x):
            acc = torch.zeros_like(x[0])
            for i in range(x.size(0)):
                acc = acc * 0.5 + x[i]
            return acc


    class SizeScale(nn.Module):
        def forward(self, x):
            sizes = torch.tensor([x.size(0), x.size(1)], dtype=torch.float32)
            return x / sizes.sum()


    class Affine(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(4, 4)

        def forward(self, x):
            return torch.relu(self.linear(x) * 2 + 1)
''')

MODELS = ("RowScan", "SizeScale", "Affine")


def build(out: OutDir) -> GroupResult:
    folder = Path(tempfile.mkdtemp(prefix="jitscope-nosource-"))
    artifacts = []
    try:
        path = folder / "vanished_models.py"
        path.write_text(SOURCE)
        spec = importlib.util.spec_from_file_location("vanished_models", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["vanished_models"] = module
        spec.loader.exec_module(module)
        for name in MODELS:
            seed_everything(0)
            model = getattr(module, name)().eval()
            inputs = (torch.rand(3, 4),)
            rel = f"nosource/{name.lower()}.traced.pt"
            out.save_module(trace(model, inputs), rel)
            out.save_tensors(inputs, f"nosource/inputs/{name.lower()}.pt")
            artifacts.append(Artifact(rel, "traced", f"nosource/inputs/{name.lower()}.pt"))
    finally:
        sys.modules.pop("vanished_models", None)
        shutil.rmtree(folder)
    return GroupResult(artifacts)
