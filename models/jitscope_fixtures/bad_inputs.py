"""Deliberately broken inputs for the loaders' error paths (bad/).

Each file is wrong in one specific way; manifest.json's "bad" key repeats the
descriptions below so tests can show what they expect.
"""

import inspect
import io
import random
import zipfile

import torch

from .classic import MyCell, make_cell_and_inputs
from .output import BadFile, FixtureError, GroupResult, OutDir, quiet

# my_cell.traced.pt comes from the classic group; build_fixtures runs it first.
SOURCE_MODEL = "my_cell.traced.pt"

# Valid zip, valid pickles, but the code the loader must compile is not Python.
INVALID_CODE = "def forward(self, x:\n    return x +\n"


def _corrupt_code(archive: bytes, code_file: str) -> bytes:
    """Copy `archive` with `code_file`'s text replaced by INVALID_CODE.

    ZIP_STORED like torch's own writer; entry names (with the archive's own
    folder prefix) and order are kept, so only the code is wrong.
    """
    src = zipfile.ZipFile(io.BytesIO(archive))
    buf = io.BytesIO()
    replaced = False
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("/" + code_file):
                data, replaced = INVALID_CODE.encode(), True
            # Reuse the source entry's timestamp: a fresh one would make the
            # file differ on every build.
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.external_attr = info.external_attr
            dst.writestr(entry, data, compress_type=zipfile.ZIP_STORED)
    if not replaced:
        raise FixtureError(f"{SOURCE_MODEL} has no {code_file} to corrupt")
    return buf.getvalue()


def _forward_code_file(path) -> str:
    """Archive-relative code file holding the top module's forward.

    Traced MyCell's type is __torch__.MyCell, serialized to code/__torch__.py;
    asking the loaded module keeps this right if the class ever moves.
    """
    qualified = torch.jit.load(str(path))._c._type().qualified_name()   # __torch__.MyCell
    return "code/" + "/".join(qualified.split(".")[:-1]) + ".py"


def _onnx_bytes() -> bytes:
    # torch.onnx.export serializes the ModelProto itself; the `onnx` Python
    # package (absent here) is only needed to check or edit models.
    # torch 2.x defaults to the dynamo exporter, which needs the onnx package
    # and cannot export the data-dependent gate; the TorchScript-based
    # exporter (dynamo=False) writes the protobuf on its own in 1.13 and 2.x.
    cell, inputs = make_cell_and_inputs()
    buf = io.BytesIO()
    extra = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False
    with quiet():
        torch.onnx.export(cell, inputs, buf, input_names=["x", "h"],
                          output_names=["y", "h_next"], **extra)
    return buf.getvalue()


def build(out: OutDir) -> GroupResult:
    source = out.path(SOURCE_MODEL)
    model_bytes = source.read_bytes()
    state_dict_buf, tensor_buf = io.BytesIO(), io.BytesIO()
    torch.manual_seed(0)
    torch.save(MyCell().state_dict(), state_dict_buf)
    torch.save(torch.rand(3), tensor_buf)
    code_file = _forward_code_file(source)

    files = [
        ("empty.pt", b"", "empty file (0 bytes)"),
        ("random.pt", random.Random(0).randbytes(4096), "4096 random bytes, not a zip archive"),
        ("truncated.pt", model_bytes[: len(model_bytes) // 2],
         f"first half of {SOURCE_MODEL}: zip central directory missing"),
        ("state_dict.pt", state_dict_buf.getvalue(),
         "torch.save of a state_dict: a valid pickle archive but no TorchScript code"),
        ("tensor.pt", tensor_buf.getvalue(),
         "torch.save of a plain tensor: a valid pickle archive but not a module"),
        ("model.onnx", _onnx_bytes(), "an ONNX model (protobuf), not a TorchScript archive"),
        ("corrupt_code.pt", _corrupt_code(model_bytes, code_file),
         f"copy of {SOURCE_MODEL} whose {code_file} is invalid Python"),
        ("not_a_model.txt", b"This is a text file, not a TorchScript model.\n",
         "plain text file"),
    ]
    result = GroupResult()
    for name, data, description in files:
        rel = f"bad/{name}"
        out.write_bytes(data, rel)
        result.bad.append(BadFile(rel, description))
    return result
