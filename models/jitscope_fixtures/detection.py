"""A torchvision detection model: its graph calls torchvision::nms, an operator
that only torchvision's own library (torchvision/_C*.so) registers, so LibTorch
cannot load it until that library is loaded (jitscope --load-library).

SSDlite 320 with MobileNetV3-Large, random weights, 3 classes: the smallest
detection model torchvision 0.14 ships, scripted and traced (the traced one
takes one image and returns its boxes, scores and labels). Its forward takes List[Tensor]; the
inputs file holds two images (a one-element list is pickled with APPEND, which
LibTorch 1.13's unpickler does not read).
"""

import glob
import os
import subprocess

import torch
import torchvision

from .output import Artifact, GroupResult, OutDir, script, seed_everything, trace


class FirstImageDetections(torch.nn.Module):
    """How detection models are traced for deployment: one image in, the
    boxes, scores and labels of its detections out (a trace cannot return
    the List[Dict] of the model itself)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        detections = self.model([image])[0]
        return detections["boxes"], detections["scores"], detections["labels"]


def _loadable_without_python(library: str) -> bool:
    """Whether C++ can dlopen the library: a pip wheel's torchvision/_C.so is
    a Python extension that needs libtorch_python.so (and Python's symbols);
    Debian's links only LibTorch."""
    try:
        needed = subprocess.run(["readelf", "-d", library], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return "libtorch_python" not in needed


def torchvision_library():
    """The path of torchvision's operator library (torchvision::nms,
    roi_align) for `jitscope --load-library`, or None when there is none that
    C++ can load here."""
    library = glob.glob(os.path.join(os.path.dirname(torchvision.__file__), "_C*.so"))
    return library[0] if library and _loadable_without_python(library[0]) else None


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    library = torchvision_library()
    if library is None:
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
    # The traced export of the same weights, on the first image: its graph
    # calls torchvision::nms too (batched_nms under tracing).
    wrapped = FirstImageDetections(model).eval()
    traced = trace(wrapped, (images[0],))
    out.save_tensors((images[0],), "detection/inputs/ssdlite_first.pt")
    out.save_module(traced, "detection/ssdlite.traced.pt")
    result.artifacts.append(Artifact("detection/ssdlite.traced.pt", "traced", "detection/inputs/ssdlite_first.pt"))
    # Where this torchvision's operator library is, for the tests' --load-library.
    out.write_bytes(library.encode() + b"\n", "detection/torchvision_library.txt")
    return result
