"""Writing fixture files: atomic saves, seeding, quiet tracing, artifact records.

Every file lands through ``OutDir`` so a crashed or interrupted build never
leaves a half-written ``.pt`` that a later incremental build would trust.
"""

import contextlib
import json
import os
import random
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import torch


class FixtureError(RuntimeError):
    """A fixture is wrong (not a crash): build_fixtures prints just the message."""


@dataclass(frozen=True)
class Artifact:
    """One generated model file, as the manifest will describe it."""

    path: str                  # relative to the output root, '/'-separated
    kind: str                  # "traced" | "scripted" | "mixed"
    inputs: Optional[str]      # relative path of the saved example inputs, or None


@dataclass(frozen=True)
class BadFile:
    """One deliberately broken input for the loaders' error paths."""

    path: str
    description: str


@dataclass
class GroupResult:
    artifacts: List[Artifact] = field(default_factory=list)
    bad: List[BadFile] = field(default_factory=list)
    note: str = ""             # extra words for the group's summary line


class OutDir:
    """The output root.  All writes are staged then moved with os.replace."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, rel: str) -> Path:
        return self.root / rel

    @contextlib.contextmanager
    def _staged(self, rel: str) -> Iterator[Path]:
        # Stage in a private folder under the root (same filesystem, so
        # os.replace is atomic) and keep the final basename: torch.jit.save
        # names the archive's inner folder after the file it writes, and we
        # want "my_cell.traced/", not a temp name, inside the zip.
        final = self.path(rel)
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        try:
            tmp = stage / final.name
            yield tmp
            os.replace(tmp, final)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def save_module(self, module: torch.jit.ScriptModule, rel: str) -> None:
        with self._staged(rel) as tmp:
            torch.jit.save(module, str(tmp))

    def save_lite(self, module: torch.jit.ScriptModule, rel: str, flatbuffer: bool = False) -> None:
        """The lite-interpreter (mobile) export: a .ptl zip with bytecode.pkl,
        or with `flatbuffer` the FlatBuffer format (bytecode 9)."""
        with self._staged(rel) as tmp:
            if flatbuffer:
                module._save_for_lite_interpreter(str(tmp), _use_flatbuffer=True)
            else:
                module._save_for_lite_interpreter(str(tmp))

    def save_tensors(self, obj, rel: str) -> None:
        with self._staged(rel) as tmp:
            torch.save(obj, str(tmp))

    def write_bytes(self, data: bytes, rel: str) -> None:
        with self._staged(rel) as tmp:
            tmp.write_bytes(data)

    def write_json(self, obj, rel: str) -> None:
        with self._staged(rel) as tmp:
            tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def seed_everything(seed: int = 0) -> None:
    """Seed every RNG a fixture can draw from, so rebuilds are byte-stable."""
    torch.manual_seed(seed)
    random.seed(seed)
    try:                        # the outside-torch pitfalls draw from NumPy
        import numpy
    except ImportError:
        return
    numpy.random.seed(seed)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence the warnings that tracing and scripting emit on purpose.

    The pitfall fixtures exist to trigger TracerWarnings; printing them would
    bury the one-line summaries.  Two UserWarnings are expected too: scripting
    nn.TransformerEncoder mentions 'batch_first' in ScriptModule constants, and
    torch.tensor(x.shape[-1]) under tracing copy-constructs from a size tensor.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*was found in ScriptModule constants")
        warnings.filterwarnings("ignore", message="To copy construct from a tensor")
        yield


def trace(module: torch.nn.Module, inputs: Sequence[torch.Tensor], strict: bool = True):
    """torch.jit.trace with the settings every fixture uses.

    check_trace=False: the check re-runs the model and compares graphs, which
    doubles the build time and fails by design on the random-op pitfalls.
    """
    with quiet():
        return torch.jit.trace(module, tuple(inputs), check_trace=False, strict=strict)


def trace_with_warnings(module: torch.nn.Module, inputs: Sequence[torch.Tensor],
                        strict: bool = True):
    """trace(), also returning the TracerWarnings PyTorch raised as (file, line).

    They are PyTorch's own verdict at trace time, kept in the ground truth so
    the audit's figures can be compared with the warning users already get.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message=".*was found in ScriptModule constants")
        warnings.filterwarnings("ignore", message="To copy construct from a tensor")
        traced = torch.jit.trace(module, tuple(inputs), check_trace=False, strict=strict)
    found = sorted({(w.filename, w.lineno) for w in caught
                    if issubclass(w.category, torch.jit.TracerWarning)})
    return traced, found


def script(module):
    with quiet():
        return torch.jit.script(module)


def save_pair(out: OutDir, name: str, traced, scripted, inputs: Sequence[torch.Tensor],
              prefix: str = "") -> List[Artifact]:
    """Write <prefix><name>.traced.pt, .scripted.pt and inputs/<name>.pt.

    First checks that both give the same outputs on the example inputs: the
    C++ cross-checks assume each pair is equivalent at least there.
    """
    with torch.no_grad():
        expected, actual = _tensors(traced(*inputs)), _tensors(scripted(*inputs))
    if len(expected) != len(actual) or not all(
            e.shape == a.shape and torch.allclose(e, a, rtol=1e-4, atol=1e-5)
            for e, a in zip(expected, actual)):
        raise FixtureError(f"{name}: traced and scripted outputs differ on the example inputs")
    inputs_rel = f"{prefix}inputs/{name}.pt"
    out.save_tensors(tuple(inputs), inputs_rel)
    artifacts = []
    for kind, module in (("traced", traced), ("scripted", scripted)):
        rel = f"{prefix}{name}.{kind}.pt"
        out.save_module(module, rel)
        artifacts.append(Artifact(rel, kind, inputs_rel))
    return artifacts


def _tensors(output) -> List[torch.Tensor]:
    """The tensors of a (possibly nested tuple/list) model output, in order."""
    if isinstance(output, torch.Tensor):
        return [output]
    return [t for item in output for t in _tensors(item)]
