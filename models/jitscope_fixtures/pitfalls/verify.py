"""Checks a fixture's label empirically: the eager module vs its saved file.

Both sides get the same probes (probes.py), fresh state for every probe and
the same RNG seeds before every call, so a divergence can only come from
what the saved file lost, not from randomness or leftover state.
"""

import copy
import io
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import torch

from ..output import seed_everything
from .probes import Probe, compare


@dataclass(frozen=True)
class Divergence:
    probe: str      # the probe's name: the counterexample
    reason: str     # what differed


def _last_line(exc: Exception) -> str:
    # TorchScript errors put the useful line ("RuntimeError: ...") last.
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[-1] if lines else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _run(make: Callable[[Optional[str]], torch.nn.Module], probe: Probe,
         seed: int) -> Tuple[bool, object]:
    """(True, output of the last call) or (False, error text).

    `make(device)` returns a fresh module on `device` (None: where it was saved).
    """
    try:
        model = make(probe.device)
    except Exception as exc:   # noqa: BLE001 - e.g. a file that cannot load there
        return False, _last_line(exc)
    if probe.mode is not None:
        model.train(probe.mode)
    output = None
    with torch.no_grad():
        for i, inputs in enumerate(probe.calls):
            seed_everything(seed + i)
            if probe.device is not None:
                torch.cuda.manual_seed_all(seed + i)
            try:
                # copy=True: .to() of a tensor already there returns it, and
                # the eager and saved runs must not share (mutable) inputs.
                args = tuple(t.clone() if probe.device is None
                             else t.to(probe.device, copy=True) for t in inputs)
                output = model(*args)
            except Exception as exc:   # noqa: BLE001 - any failure is an observation
                return False, _last_line(exc)
    return True, output


def _eager_on(eager: torch.nn.Module, device: Optional[str]) -> torch.nn.Module:
    model = copy.deepcopy(eager)
    return model if device is None else model.to(device)


def first_divergence(eager: torch.nn.Module, saved: bytes,
                     probes: Sequence[Probe]) -> Optional[Divergence]:
    """The first probe on which the saved file and `eager` disagree, if any.

    `eager` is the module in the state it had when the file was saved (after
    the tracing call, for traced files); it is deep-copied for every probe.
    """
    for index, probe in enumerate(probes):
        seed = 1000 + 10 * index
        eager_ok, expected = _run(lambda device: _eager_on(eager, device), probe, seed)
        saved_ok, actual = _run(lambda device: torch.jit.load(io.BytesIO(saved),
                                                              map_location=device),
                                probe, seed)
        if not eager_ok and not saved_ok:
            continue                      # both reject the input: same behaviour
        if not eager_ok:
            return Divergence(probe.name, f"eager raised ({expected}), the saved file did not")
        if not saved_ok:
            return Divergence(probe.name, f"the saved file raised ({actual}), eager did not")
        reason = compare(expected, actual)
        if reason:
            return Divergence(probe.name, reason)
    return None


def nodes_at_line(module: torch.jit.ScriptModule, source: str, line: int) -> Tuple[List[str], List[str]]:
    """Node kinds of `module`'s inlined graph recorded at source:line.

    Returns (kinds whose innermost Python frame is that line, i.e. what a
    graph dump's `# file:line` comment shows; kinds that reach the line only
    further up their recorded call stack, e.g. ops inside nn.Dropout).
    """
    tag = f"{source}({line}):"
    direct, via_call = set(), set()

    def walk(block):
        for node in block.nodes():
            frames = node.sourceRange().splitlines()
            if frames and frames[0].startswith(tag):
                direct.add(node.kind())
            elif any(frame.startswith(tag) for frame in frames[1:]):
                via_call.add(node.kind())
            for sub in node.blocks():
                walk(sub)

    walk(module.inlined_graph)
    return sorted(direct), sorted(via_call)


def device_constant_lines(module: torch.jit.ScriptModule, source: str) -> List[int]:
    """Lines of `source` whose recorded ops take a constant Device input.

    A traced `torch.arange(n, device=x.device)` or `.to(x.device)` records
    the example's device as `Device = prim::Constant[value="cpu"]()`; this
    finds the ops that use such a constant and returns the innermost
    `source` line of each (sorted, unique).
    """
    tag = f"{source}("
    lines = set()

    def is_device_constant(value) -> bool:
        node = value.node()
        return node.kind() == "prim::Constant" and str(value.type()) == "Device"

    def walk(block):
        for node in block.nodes():
            if any(is_device_constant(v) for v in node.inputs()):
                for frame in node.sourceRange().splitlines():
                    if frame.startswith(tag):
                        lines.add(int(frame[len(tag):].split(")", 1)[0]))
                        break
            for sub in node.blocks():
                walk(sub)

    walk(module.inlined_graph)
    return sorted(lines)
