"""Builds pitfalls/: each fixture traced and scripted, its inputs, ground_truth.json.

Every label is checked before it is written: a fixture marked `# lost:` must
make its traced file diverge from eager Python on some probe, a clean one
must agree on all, and every scripted reference must agree on all.
"""

import copy
import io
from typing import Dict, List

import torch

from ..output import Artifact, FixtureError, GroupResult, OutDir, script, seed_everything, trace
from . import CATALOGUE
from .markers import find_marker, source_file
from .probes import Probe, make_probes
from .spec import CATEGORIES, Pitfall
from .verify import first_divergence, nodes_at_line

PREFIX = "pitfalls/"
GROUND_TRUTH = PREFIX + "ground_truth.json"
MAX_FILE_BYTES = 20 * 1024     # fixtures stay tiny so tests load them fast
MIN_CLEAN = 8

VERIFICATION = (
    "Each file was loaded back and run beside the eager Python module on probes "
    "derived from its example input (the example itself, sign-flipped, scaled by 3 "
    "and 0.1, shifted, batch size 1 and +2, dim 1 +1, a second call after the "
    "example, and after .eval() for models traced in training mode), with fresh state and identical RNG "
    "seeds per probe.  Traced files are compared with the eager module as it was "
    "right after the tracing call (the state the file was saved with); scripted "
    "files with the module before any call.  'counterexample' names the first "
    "probe on which a lossy file diverged and 'divergence' says how.  Random-op "
    "fixtures are compared under identical seeds, so only a lost mode switch or a "
    "frozen random draw shows; python-state and in-place fixtures diverge once the "
    "eager module's state has moved on (the 'second call' or later probes)."
)


def _clone(inputs):
    return tuple(t.clone() for t in inputs)


def _save(out: OutDir, module, rel: str) -> bytes:
    out.save_module(module, rel)
    data = out.path(rel).read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise FixtureError(f"{rel} is {len(data)} bytes; keep pitfall fixtures under "
                           f"{MAX_FILE_BYTES} bytes")
    return data


def _probes_for_label(pitfall: Pitfall, probes: List[Probe]) -> List[Probe]:
    if pitfall.counterexample is None:
        return probes
    pinned = [p for p in probes if p.name == pitfall.counterexample]
    if not pinned:
        raise FixtureError(f"{pitfall.name}: no probe named '{pitfall.counterexample}'; "
                           f"probes: {', '.join(p.name for p in probes)}")
    return pinned


def _build_one(out: OutDir, pitfall: Pitfall, files: Dict[str, dict]) -> List[Artifact]:
    name, cls = pitfall.name, pitfall.model
    marker = find_marker(cls)
    source = source_file(cls)

    seed_everything(0)
    model = cls().train(pitfall.train)
    example = tuple(pitfall.example())
    seed_everything(0)
    traced = trace(model, _clone(example), strict=pitfall.strict)
    # Eager reference for both files. The scripted file is compiled from the
    # same state as the traced one (buffers the tracing call updated
    # included), so that running both side by side compares like with like.
    after = copy.deepcopy(model)

    inputs_rel = f"{PREFIX}inputs/{name}.pt"
    out.save_tensors(example, inputs_rel)
    traced_rel = f"{PREFIX}{name}.traced.pt"
    traced_bytes = _save(out, traced, traced_rel)
    probes = make_probes(example, pitfall.train)
    divergence = first_divergence(after, traced_bytes, _probes_for_label(pitfall, probes))
    if marker and divergence is None:
        raise FixtureError(
            f"{name}: marked '# lost: {marker.category}' at {source}:{marker.line}, but the "
            f"traced file matches eager Python on every probe; make the fixture really "
            f"lose behaviour (probes: {', '.join(p.name for p in probes)})")
    if not marker and divergence:
        raise FixtureError(
            f"{name}: clean control, but the traced file diverges on '{divergence.probe}': "
            f"{divergence.reason}; fix the fixture or mark the lost line")

    direct, via_call = ([], [])
    if marker:
        direct, via_call = nodes_at_line(torch.jit.load(io.BytesIO(traced_bytes)),
                                         source, marker.line)
    scripted_key = f"{name}.scripted.pt" if pitfall.scriptable else None
    files[f"{name}.traced.pt"] = {
        "lossy": marker is not None,
        "category": marker.category if marker else None,
        "source": source,
        "line": marker.line if marker else None,
        "function": marker.function if marker else "forward",
        "description": pitfall.description,
        "counterexample": divergence.probe if divergence else None,
        "divergence": divergence.reason if divergence else None,
        "traced_nodes_at_line": direct,
        "traced_nodes_calling_line": via_call,
        "trace_mode": "train" if pitfall.train else "eval",
        "inputs": f"inputs/{name}.pt",
        "reference": scripted_key,
    }
    artifacts = [Artifact(traced_rel, "traced", inputs_rel)]

    if pitfall.scriptable:
        scripted_rel = PREFIX + scripted_key
        scripted_bytes = _save(out, script(copy.deepcopy(after)), scripted_rel)
        bad = first_divergence(after, scripted_bytes, probes)
        if bad:
            raise FixtureError(f"{name}: the scripted reference diverges from eager Python on "
                               f"'{bad.probe}': {bad.reason}")
        files[scripted_key] = {
            "lossy": False,
            "category": None,
            "source": source,
            "line": None,
            "function": "forward",
            "description": f"scripted reference for {name}.traced.pt: scripting compiles "
                           f"the source instead of recording one run, so it keeps what "
                           f"the trace lost",
            "counterexample": None,
            "divergence": None,
            "inputs": f"inputs/{name}.pt",
            "reference_for": f"{name}.traced.pt",
        }
        artifacts.append(Artifact(scripted_rel, "scripted", inputs_rel))
    return artifacts


def _check_catalogue() -> None:
    names = [p.name for p in CATALOGUE]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FixtureError(f"duplicate pitfall names: {', '.join(duplicates)}")
    for pitfall in CATALOGUE:
        if not isinstance(pitfall.model, type):
            raise FixtureError(f"{pitfall.name}: `model` must be the nn.Module class, so its "
                               f"source (and '# lost:' marker) can be found")


def build(out: OutDir) -> GroupResult:
    _check_catalogue()
    files: Dict[str, dict] = {}
    result = GroupResult()
    for pitfall in CATALOGUE:
        result.artifacts += _build_one(out, pitfall, files)

    traced = [v for k, v in files.items() if k.endswith(".traced.pt")]
    lossy = sum(1 for v in traced if v["lossy"])
    clean = len(traced) - lossy
    missing = sorted(set(CATEGORIES) - {v["category"] for v in traced})
    if missing:
        raise FixtureError(f"no pitfall fixture for: {', '.join(missing)}")
    if clean < MIN_CLEAN:
        raise FixtureError(f"only {clean} clean controls; keep at least {MIN_CLEAN}")

    out.write_json({"categories": list(CATEGORIES), "verification": VERIFICATION,
                    "files": files}, GROUND_TRUTH)
    result.note = (f"{len(traced)} fixtures ({lossy} lossy, {clean} clean), "
                   f"{len(result.artifacts)} model files, labels verified")
    return result
