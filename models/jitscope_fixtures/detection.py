"""A torchvision detection model: its graph calls torchvision::nms, an operator
that only torchvision's own library (torchvision/_C*.so) registers, so LibTorch
cannot load it until that library is loaded (jitscope --load-library).

SSDlite 320 with MobileNetV3-Large, random weights, 3 classes: the smallest
detection model torchvision 0.14 ships. Its forward takes List[Tensor]; the
inputs file holds two images (a one-element list is pickled with APPEND, which
LibTorch 1.13's unpickler does not read).
"""

import glob
import os
import subprocess

import torch
import torchvision

from .output import Artifact, GroupResult, OutDir, script, seed_everything


def _loadable_without_python(library: str) -> bool:
    """Whether C++ can dlopen the library: a pip wheel's torchvision/_C.so is
    a Python extension that needs libtorch_python.so (and Python's symbols);
    Debian's links only LibTorch."""
    try:
        needed = subprocess.run(["readelf", "-d", library], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return "libtorch_python" not in needed


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    library = glob.glob(os.path.join(os.path.dirname(torchvision.__file__), "_C*.so"))
    if not library or not _loadable_without_python(library[0]):
        result.note = "skipped: torchvision's operator library here needs Python (libtorch_python)"
        return result
    seed_everything(0)
    model = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=3).eval()
    images = [torch.rand(3, 160, 160), torch.rand(3, 128, 192)]
    with torch.no_grad():
        model(images)  # the eager model runs on these: they are valid inputs
    out.save_tensors((images,), "detection/inputs/ssdlite.pt")
    out.save_module(script(model), "detection/ssdlite.scripted.pt")
    result.artifacts.append(Artifact("detection/ssdlite.scripted.pt", "scripted", "detection/inputs/ssdlite.pt"))
    # Where this torchvision's operator library is, for the tests' --load-library.
    out.write_bytes(library[0].encode() + b"\n", "detection/torchvision_library.txt")
    return result
