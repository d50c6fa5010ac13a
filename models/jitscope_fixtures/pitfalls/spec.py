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
)


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
