"""Models whose loadability differs between LibTorch versions: the ground
truth for `jitscope compat`'s prediction.

Each model is built with whatever torch runs this script, when that torch
can build it (scaled_dot_product_attention needs 2.0, its `scale=` 2.1,
rms_norm 2.4; torch.symeig is gone from 2.x). Saved by one version and
loaded by another, each either loads and runs or does not; the model test
(tests/unit/test_compat.cpp) predicts which with `compat` against the
running LibTorch and then tries. Built here (torch 1.13) they are build
outputs; built by torch 2.11 on the GPU machine they are committed in
tests/data/torch2/compat/ (each a few KB).

Each model is also saved for the lite interpreter (`NAME.ptl`, read by
torch::jit::_load_for_mobile, which looks operators up by exact overload in
bytecode.pkl's tables instead of compiling the code), and the plain model
twice more: backported to bytecode version 5 (no argument counts in its
tables) and with its bytecode version raised past what any LibTorch reads.

compat/manifest.json: name -> {torch: version that saved it, inputs: the
shapes forward takes, why: what the model is for}.
"""

import io
import warnings
import zipfile

import torch
import torch.nn.functional as F
from torch import nn

from .output import GroupResult, OutDir, quiet, script, seed_everything, trace


class Sdpa(nn.Module):
    """aten::scaled_dot_product_attention: registered from torch 2.0 on
    (PyTorch's own nn.MultiheadAttention fast path calls it)."""

    def forward(self, x):
        q = x.unsqueeze(0)
        return F.scaled_dot_product_attention(q, q, q)


class SdpaScale(nn.Module):
    """The `scale=` keyword, added to the same operator in torch 2.1."""

    def forward(self, x):
        q = x.unsqueeze(0)
        return F.scaled_dot_product_attention(q, q, q, scale=0.5)


class RmsNorm(nn.Module):
    """aten::rms_norm, torch 2.4 (LLaMA-style models)."""

    def forward(self, x):
        return F.rms_norm(x, [x.shape[-1]])


class Unflatten(nn.Module):
    """Tensor.unflatten became a native operator (aten::unflatten) in 2.0;
    before, it was Python that scripting could not compile."""

    def forward(self, x):
        return x.unflatten(1, (2, 2))


class AssertAsyncMsg(nn.Module):
    """torch._assert_async(cond, msg): the two-argument overload of 2.1;
    1.13 has only `_assert_async(Tensor self)`, so the call site's
    arguments bind to no overload there."""

    def forward(self, x):
        torch._assert_async((x.abs() >= 0).all(), "negative magnitude")
        return x * 2


class Symeig(nn.Module):
    """torch.symeig: deprecated in 1.9 and removed from 2.x's operators."""

    def forward(self, x):
        a = x @ x.t()
        return torch.symeig(a, eigenvectors=False)[0]


class Plain(nn.Module):
    """Operators every version has (conv, norm, gelu with `approximate=`,
    softmax, arithmetic): loads and runs everywhere."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 4, 1)
        self.norm = nn.LayerNorm(4)

    def forward(self, x):
        y = self.conv(x.unsqueeze(-1)).squeeze(-1)
        y = F.gelu(self.norm(y), approximate="tanh")
        return torch.softmax(y, dim=-1) + x.sum(dim=1, keepdim=True)


class Quantized(nn.Module):
    """Quantized conv and linear: packed weights are TorchBind classes
    (quantized.Conv2dPackedParamsBase) repacked by the engine at load."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(1, 2, 1)
        self.linear = nn.Linear(2, 4)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        y = self.conv(self.quant(x.reshape(1, 1, x.shape[0], x.shape[1])))
        return self.dequant(self.linear(y.mean((2, 3))))


def _quantized(example):
    engines = torch.backends.quantized.supported_engines
    engine = "qnnpack" if "qnnpack" in engines else next(e for e in engines if e != "none")
    torch.backends.quantized.engine = engine
    model = Quantized().eval()
    model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    torch.ao.quantization.prepare(model, inplace=True)
    model(example)
    torch.ao.quantization.convert(model, inplace=True)
    return trace(model, (example,))


# name -> (how it is exported, input shape)
MODELS = {
    "plain.scripted": (lambda x: script(Plain().eval()), (3, 4)),
    "plain.traced": (lambda x: trace(Plain().eval(), (x,)), (3, 4)),
    "sdpa.scripted": (lambda x: script(Sdpa()), (3, 4)),
    "sdpa_scale.scripted": (lambda x: script(SdpaScale()), (3, 4)),
    "sdpa.traced": (lambda x: trace(Sdpa(), (x,)), (3, 4)),
    "rms_norm.scripted": (lambda x: script(RmsNorm()), (3, 4)),
    "unflatten.scripted": (lambda x: script(Unflatten()), (3, 4)),
    "assert_async_msg.scripted": (lambda x: script(AssertAsyncMsg()), (3, 4)),
    "symeig.scripted": (lambda x: script(Symeig()), (3, 4)),
    "quantized.traced": (_quantized, (3, 4)),
}


def _with_bytecode_version(ptl: bytes, version: int) -> bytes:
    """The same .ptl with bytecode.pkl's leading version (BININT1 after
    PROTO 2) replaced: a file from a future PyTorch, for the version check.
    Records are rewritten stored, as torch writes them."""
    source = zipfile.ZipFile(io.BytesIO(ptl))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/bytecode.pkl"):
                assert data[:3] == b"\x80\x02K", "bytecode.pkl does not start with PROTO 2, BININT1"
                data = data[:3] + bytes([version]) + data[4:]
            target.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()


def _lite_variants(out: OutDir, module, name: str, manifest: dict, entry: dict, skipped: list) -> None:
    """NAME.ptl, and for plain.scripted its backported and future copies."""
    try:
        with quiet():
            out.save_lite(module, f"compat/{name}.ptl")
    except Exception as error:  # e.g. a quantized engine this build lacks
        skipped.append(f"{name}.ptl ({type(error).__name__})")
        return
    manifest[f"{name}.ptl"] = dict(entry, why=entry["why"] + " Saved for the lite interpreter.")
    if name != "plain.scripted":
        return
    from torch.jit.mobile import _backport_for_mobile
    staged = out.path(f"compat/{name}.v5.ptl")
    if _backport_for_mobile(str(out.path(f"compat/{name}.ptl")), str(staged), 5):
        manifest[f"{name}.v5.ptl"] = dict(entry, why="The plain model backported to bytecode version 5 "
                                                     "(torch.jit.mobile._backport_for_mobile): operator tables "
                                                     "without argument counts.")
    # The FlatBuffer format (bytecode 9) of the same model: not a zip, which
    # jitscope refuses with the fix (tests/golden/compat.test).
    try:
        out.save_lite(module, f"compat/flatbuffer/{name}.ptl", flatbuffer=True)
    except Exception as error:  # a torch built without FlatBuffer support
        skipped.append(f"flatbuffer/{name}.ptl ({type(error).__name__})")
    # A bytecode.pkl that is a valid pickle but not bytecode (no version in
    # front): torch::jit::load ignores it; info and compat refuse it.
    with zipfile.ZipFile(io.BytesIO(out.path(f"compat/{name}.ptl").read_bytes())) as source:
        broken = io.BytesIO()
        with zipfile.ZipFile(broken, "w", zipfile.ZIP_STORED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename.endswith("/bytecode.pkl"):
                    data = b"\x80\x02X\x02\x00\x00\x00v8\x85."  # ("v8",)
                target.writestr(info, data, compress_type=info.compress_type)
    out.write_bytes(broken.getvalue(), f"compat/broken/{name}.no_version.ptl")
    future = _with_bytecode_version(out.path(f"compat/{name}.ptl").read_bytes(), 99)
    out.write_bytes(future, f"compat/{name}.bytecode99.ptl")
    manifest[f"{name}.bytecode99.ptl"] = dict(entry, why="The plain model with bytecode version 99: no "
                                                         "LibTorch's mobile loader reads it.")


def build(out: OutDir) -> GroupResult:
    result = GroupResult()
    manifest = {}
    skipped = []
    for name, (export, shape) in MODELS.items():
        seed_everything(0)
        example = torch.rand(*shape)
        try:
            with quiet(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # symeig's deprecation
                module = export(example)
                module(example)  # it runs where it was made
        except Exception as error:  # this torch cannot make it: not a fixture here
            skipped.append(f"{name} ({type(error).__name__})")
            continue
        out.save_module(module, f"compat/{name}.pt")
        entry = {"torch": torch.__version__.split("+")[0], "inputs": [list(shape)],
                 "why": " ".join((MODELS_DOC.get(name.split(".")[0]) or "").split())}
        manifest[f"{name}.pt"] = entry
        _lite_variants(out, module, name, manifest, entry, skipped)
    out.write_json(manifest, "compat/manifest.json")
    result.note = f"{len(manifest)} built" + (f"; this torch cannot make {', '.join(skipped)}" if skipped else "")
    return result


MODELS_DOC = {
    "plain": Plain.__doc__, "sdpa": Sdpa.__doc__, "sdpa_scale": SdpaScale.__doc__, "rms_norm": RmsNorm.__doc__,
    "unflatten": Unflatten.__doc__, "assert_async_msg": AssertAsyncMsg.__doc__, "symeig": Symeig.__doc__,
    "quantized": Quantized.__doc__,
}
