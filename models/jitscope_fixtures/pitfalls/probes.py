"""Probe inputs derived from a fixture's trace example, and output comparison.

A probe is a short call sequence; the outputs of its last call are compared
between the eager module and the loaded file.  The list is ordered from the
most ordinary input to the most unusual, so the first probe that diverges
is the simplest counterexample to quote.
"""

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import torch

Inputs = Tuple[torch.Tensor, ...]


@dataclass(frozen=True)
class Probe:
    name: str
    calls: Tuple[Inputs, ...]       # run in order; the last call's output is compared
    mode: Optional[bool] = None     # None: keep the saved mode; else .train(mode) first
    # None: run where the module is (the CPU).  Else a device such as "cuda":
    # the eager module is moved there with .to(device), the saved file is
    # loaded with map_location=device, and the inputs are moved there too.
    device: Optional[str] = None


# The device probe's name, so build.py can pin baked-device fixtures to it.
DEVICE_PROBE = "on {device} (module and inputs moved there)"


def device_probe_name(device: str) -> str:
    return DEVICE_PROBE.format(device=device)


def _map(inputs: Inputs, fn: Callable[[torch.Tensor], torch.Tensor]) -> Inputs:
    return tuple(fn(t) for t in inputs)


def _scale(k: float) -> Callable[[torch.Tensor], torch.Tensor]:
    def fn(t):
        if t.is_floating_point():
            return t * k
        return t * int(k) if float(k).is_integer() else t
    return fn


def _shift(t: torch.Tensor) -> torch.Tensor:
    return t - 0.5 if t.is_floating_point() else t


def _resize(dim: int, new_size: Callable[[int], int]) -> Callable[[torch.Tensor], torch.Tensor]:
    """Change size `dim` of every tensor that has it, reusing its own values."""
    def fn(t):
        if t.dim() <= dim:
            return t
        old, new = t.size(dim), new_size(t.size(dim))
        repeats = -(-new // old)                       # ceil(new / old)
        return torch.cat([t] * repeats, dim).narrow(dim, 0, new).clone()
    return fn


def _cast_floating(dtype: torch.dtype) -> Callable[[torch.Tensor], torch.Tensor]:
    def fn(t):
        return t.to(dtype) if t.is_floating_point() else t
    return fn


def _integer_to_float(t: torch.Tensor) -> torch.Tensor:
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
        return t
    return t.to(torch.float32)


def make_probes(example: Inputs, traced_in_training: bool,
                device: Optional[str] = None) -> List[Probe]:
    """The probes, in a fixed order; new probes go at the end.

    Counterexamples are quoted by name in ground_truth.json, so a probe added
    in front would rename old counterexamples.  The dtype probes (float64,
    float16, integers as float32) are for dtype-dependent fixtures; most ops
    lack float16 kernels on the CPU in torch 1.13 (addmm, softmax, clamp,
    exp...), and a probe on which eager and the saved file both raise counts
    as agreement.  The device probe is added only when `device` is given,
    i.e. where torch.cuda.is_available() (build.py).
    """
    # Deployment runs in eval mode: a model traced in training mode is probed
    # after .eval(); one traced in eval mode already runs as deployed (a
    # .train() on a loaded trace is no use anyone has for it), so it gets no
    # mode probe and an eval-traced `if self.training` is not a loss.
    mode_probes = [Probe("after .eval()", (example,), mode=False)] if traced_in_training else []
    candidates = [
        Probe("example input", (example,)),
        Probe("sign-flipped input", (_map(example, torch.neg),)),
        Probe("input scaled by 3", (_map(example, _scale(3)),)),
        Probe("input scaled by 0.1", (_map(example, _scale(0.1)),)),
        Probe("input shifted by -0.5", (_map(example, _shift),)),
        Probe("batch size 1", (_map(example, _resize(0, lambda n: 1)),)),
        Probe("batch size +2", (_map(example, _resize(0, lambda n: n + 2)),)),
        Probe("dim 1 size +1", (_map(example, _resize(1, lambda n: n + 1)),)),
        Probe("second call (example input, then input scaled by 3)",
              (example, _map(example, _scale(3)))),
    ] + mode_probes + [
        Probe("floating inputs as float64", (_map(example, _cast_floating(torch.float64)),)),
        Probe("floating inputs as float16", (_map(example, _cast_floating(torch.float16)),)),
        Probe("integer inputs as float32", (_map(example, _integer_to_float),)),
    ]
    if device is not None:
        candidates.append(Probe(device_probe_name(device), (example,), device=device))
    # Drop probes identical to an earlier one (e.g. "dim 1 size +1" when no
    # input has a dim 1), so the list only names probes that test something.
    probes: List[Probe] = []
    for probe in candidates:
        if not any(_same(probe, earlier) for earlier in probes):
            probes.append(probe)
    return probes


def _same(a: Probe, b: Probe) -> bool:
    if a.mode != b.mode or a.device != b.device or len(a.calls) != len(b.calls):
        return False
    return all(len(x) == len(y) and all(s.shape == t.shape and s.dtype == t.dtype
                                        and torch.equal(s, t) for s, t in zip(x, y))
               for x, y in zip(a.calls, b.calls))


def compare(expected, actual, path: str = "output") -> Optional[str]:
    """None if `actual` matches `expected`, else a short reason."""
    if isinstance(expected, torch.Tensor) and isinstance(actual, torch.Tensor):
        if expected.shape != actual.shape:
            return f"{path} shape {tuple(expected.shape)} vs {tuple(actual.shape)}"
        if expected.dtype != actual.dtype:
            return f"{path} dtype {expected.dtype} vs {actual.dtype}"
        if expected.device != actual.device:
            return f"{path} device {expected.device} vs {actual.device}"
        if expected.device.type != "cpu":
            expected, actual = expected.cpu(), actual.cpu()
        if expected.is_floating_point():
            if torch.allclose(expected, actual, rtol=1e-4, atol=1e-5, equal_nan=True):
                return None
            diff = (expected - actual).abs().nan_to_num(nan=float("inf")).max().item()
            return f"{path} values differ (max abs diff {diff:.3g})"
        return None if torch.equal(expected, actual) else f"{path} values differ"
    if isinstance(expected, (tuple, list)) and isinstance(actual, (tuple, list)):
        # A traced NamedTuple comes back as a plain tuple: its field names are lost.
        fields_e, fields_a = getattr(expected, "_fields", None), getattr(actual, "_fields", None)
        if fields_e != fields_a:
            return f"{path} type {_type_name(expected)} vs {_type_name(actual)}"
        if len(expected) != len(actual):
            return f"{path} length {len(expected)} vs {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            reason = compare(e, a, f"{path}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return f"{path} keys {sorted(expected)} vs {sorted(actual)}"
        for key in expected:
            reason = compare(expected[key], actual[key], f"{path}[{key!r}]")
            if reason:
                return reason
        return None
    if type(expected) is not type(actual):
        return f"{path} type {_type_name(expected)} vs {_type_name(actual)}"
    return None if expected == actual else f"{path} {expected!r} vs {actual!r}"


def _type_name(value) -> str:
    fields = getattr(value, "_fields", None)
    if fields is not None:
        return f"{type(value).__name__}({', '.join(fields)})"
    return type(value).__name__
