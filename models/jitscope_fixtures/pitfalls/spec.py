"""What a pitfall fixture is: a tiny module class plus how to trace it.

Whether a fixture is lossy, and in which category, is *not* stated here: it
comes from the `# lost: <category>` comment in the class source (markers.py),
so the label sits on the very line the C++ audit should point at.
"""

from dataclasses import dataclass
from typing import Callable, Optional, Tuple

import torch

CATEGORIES = (
    "data-dependent-branch",
    "data-dependent-loop",
    "shape-dependent-branch",
    "shape-dependent-loop",
    "python-number",
    "tensor-iteration",
    "constant-tensor",
    "training-branch",
    "random-op",
    "python-state",
    "inplace-update",
    "container-output",
    "baked-device",      # fixtures: public_reports.py (truth needs CUDA)
    "dtype-dependent",   # fixtures: public_reports.py, model_code.py
    "outside-torch",     # fixtures: model_code.py
)


def positive_example():
    """The example most pitfalls trace with: one 3x4 tensor of values in [0, 1)."""
    return (torch.rand(3, 4),)


@dataclass(frozen=True)
class Pitfall:
    name: str                                           # file stem: <name>.traced.pt
    model: Callable[[], torch.nn.Module]                # usually the class itself
    example: Callable[[], Tuple[torch.Tensor, ...]]     # trace inputs, drawn after seeding
    description: str
    scriptable: bool = True       # also write <name>.scripted.pt as the reference
    train: bool = False           # trace (and script) in training mode
    strict: bool = True           # torch.jit.trace(strict=...); False for list/dict outputs
    # Name of the probe that must show the loss.  Default: the first probe that
    # diverges.  Pin it when an earlier probe diverges for an unrelated reason.
    counterexample: Optional[str] = None
    # Environment variables set while tracing only (and removed again before
    # the probes run): for fixtures that read os.environ in forward, so the
    # trace sees another environment than the eager runs after it, as when a
    # model is exported on one machine and served on another.
    trace_env: Tuple[Tuple[str, str], ...] = ()
