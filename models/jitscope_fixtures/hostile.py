"""Broken and hostile inputs for the corpus test (hostile/).

Every file here must be refused by every subcommand: exit 3, one line on
stderr naming the file, no signal, no output file, no code run. Most are
my_cell.traced.pt with one thing wrong; the hostile pickles carry payloads
that create a marker file in the current directory if a Python unpickler
ever ran them (build() proves that they would). hostile/corpus.json maps
each file to what is wrong with it. Deterministic: same bytes every build.
"""

import io
import json
import os
import pickle
import random
import struct
import tempfile
import warnings
import zipfile
import zlib

from typing import Tuple

import torch

from .classic import MyCell, make_cell_and_inputs
from .output import FixtureError, GroupResult, OutDir

SOURCE_MODEL = "my_cell.traced.pt"
# The payloads create this file, relative to the process's working
# directory; the corpus test runs jitscope in an empty folder and checks it
# stays empty.
MARKER = "jitscope-hostile-marker"
DATE = (2020, 1, 1, 0, 0, 0)


def _records(archive: bytes):
    """[(name, data, compress_type)] of a zip, in order."""
    src = zipfile.ZipFile(io.BytesIO(archive))
    return [(i.filename, src.read(i.filename), i.compress_type) for i in src.infolist()]


def _zip(records, compress=None) -> bytes:
    """A zip of `records` ([(name, data, compress_type)]), fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for name, data, ctype in records:
            entry = zipfile.ZipInfo(name, date_time=DATE)
            dst.writestr(entry, data, compress_type=compress if compress is not None else ctype)
    return buf.getvalue()


def _edit(records, suffix, change):
    """Records with the one ending in `suffix` replaced by change(data)
    (None drops it)."""
    out, hit = [], False
    for name, data, ctype in records:
        if name.endswith(suffix):
            hit = True
            data = change(data)
            if data is None:
                continue
        out.append((name, data, ctype))
    if not hit:
        raise FixtureError(f"{SOURCE_MODEL} has no record ending in {suffix}")
    return out


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    if data.count(old) < 1:
        raise FixtureError(f"data.pkl of {SOURCE_MODEL} does not contain {old!r}")
    return data.replace(old, new, 1)


def _long(n: int) -> bytes:
    """LONG1 opcode with an 8-byte little-endian integer."""
    return b"\x8a\x08" + struct.pack("<q", n)


def _global(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _unicode(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _call(module: str, name: str, arg: str) -> bytes:
    """Protocol-2 pickle calling module.name(arg)."""
    return b"\x80\x02" + _global(module, name) + _unicode(arg) + b"\x85R."


HOSTILE_PICKLES = {
    "os_system": _call("os", "system", f"touch {MARKER}"),
    "builtins_eval": _call("builtins", "eval", f"open('{MARKER}', 'w').close()"),
    "subprocess": _call("subprocess", "getoutput", f"touch {MARKER}"),
    # A storage type that is not one: the class lookup alone would import it.
    "fake_storage": b"\x80\x02" + _global("torch", "EvilStorage") + b")\x81.",
}


def _prove_payloads_run() -> None:
    """Each payload must create the marker when Python's pickle loads it;
    otherwise a test that finds no marker would prove nothing."""
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for name in ("os_system", "builtins_eval", "subprocess"):
                pickle.loads(HOSTILE_PICKLES[name])
                if not os.path.exists(MARKER):
                    raise FixtureError(f"hostile payload {name} did not create its marker")
                os.remove(MARKER)
        finally:
            os.chdir(here)


def _local_zip(entries) -> bytes:
    """A zip written by hand: entries are (name, local_offset_index, data)
    where several central entries may point at one local record."""
    body, offsets, central = b"", [], b""
    for name, data in entries["locals"]:
        offsets.append(len(body))
        raw = name.encode()
        crc = zlib.crc32(data)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data),
                            len(raw), 0) + raw + data
    count = 0
    for name, index in entries["central"]:
        lname, data = entries["locals"][index]
        raw = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, zlib.crc32(data),
                               len(data), len(data), len(raw), 0, 0, 0, 0, 0, offsets[index]) + raw
        count += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return body + central + end


def _zip_bomb(prefix: str, records) -> bytes:
    """The model plus a code record that inflates to 256 MiB of zeros."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    deflated = b"".join(comp.compress(chunk) for _ in range(256)) + comp.flush()
    size = 256 << 20
    out = _zip(records)
    # Append one deflated record by hand (zipfile would inflate-check it).
    src = zipfile.ZipFile(io.BytesIO(out))
    body_end = src.start_dir
    body, central_old = out[:body_end], out[body_end:]
    eocd = central_old[-22:]
    central_old = central_old[:-22]
    name = f"{prefix}/code/__torch__/bomb.py".encode()
    crc = 0
    for _ in range(256):
        crc = zlib.crc32(chunk, crc)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(deflated), size, len(name),
                        0) + name + deflated
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(deflated), size,
                          len(name), 0, 0, 0, 0, 0, len(body)) + name
    count = struct.unpack("<H", eocd[10:12])[0] + 1
    new_central = central_old + central
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(new_central),
                      len(body) + len(local), 0)
    return body + local + new_central + end


class SetstateHang(torch.nn.Module):
    """Valid archive whose __setstate__ (run by torch::jit::load) never ends."""

    def __init__(self):
        super().__init__()
        self.n = 1

    def forward(self, x):
        return x * self.n

    @torch.jit.export
    def __getstate__(self) -> Tuple[int, bool]:
        return (self.n, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[int, bool]) -> None:
        i = state[0]
        while i > 0:
            i = i + 1
        self.n = i
        self.training = state[1]


class SetstateAlloc(torch.nn.Module):
    """Valid archive whose __setstate__ allocates 4 GiB on load."""

    def __init__(self):
        super().__init__()
        self.buf = torch.zeros(1)

    def forward(self, x):
        return x + self.buf.sum()

    @torch.jit.export
    def __getstate__(self) -> Tuple[int, bool]:
        return (0, self.training)

    @torch.jit.export
    def __setstate__(self, state: Tuple[int, bool]) -> None:
        self.buf = torch.zeros(1 << 30)
        self.training = state[1]


def build(out: OutDir) -> GroupResult:
    model = out.path(SOURCE_MODEL).read_bytes()
    records = _records(model)
    prefix = records[0][0].split("/")[0]
    rng = random.Random(9)
    _prove_payloads_run()

    files = {}

    def add(name, data, what):
        files[name] = (data, what)

    add("empty.pt", b"", "empty file")
    add("random.pt", rng.randbytes(8192), "8 KiB of random bytes")
    add("random_pk.pt", b"PK\x03\x04" + rng.randbytes(4096), "zip magic followed by random bytes")
    # Each file costs one jitscope start per subcommand in the corpus test
    # (~0.9 s of CPU, mostly loading LibTorch): cuts at the interesting
    # places only (inside the first header, mid-records, inside the
    # end-of-directory record, one byte short).
    for cut in (4, 30, len(model) // 2, len(model) - 23, len(model) - 1):
        add(f"truncated_at_{cut}.pt", model[:cut], f"{SOURCE_MODEL} cut to its first {cut} bytes")
    add("no_code.pt", _zip([r for r in records if "/code/" not in r[0]]), "code/ records removed")
    add("no_data_pkl.pt", _zip(_edit(records, "/data.pkl", lambda d: None)), "data.pkl removed")
    add("no_version.pt", _zip(_edit(records, "/version", lambda d: None)), "version record removed")
    add("garbage_data_pkl.pt", _zip(_edit(records, "/data.pkl", lambda d: rng.randbytes(len(d)))),
        "data.pkl replaced by random bytes")
    add("truncated_data_pkl.pt", _zip(_edit(records, "/data.pkl", lambda d: d[: len(d) // 2])),
        "data.pkl cut in half")
    add("garbage_code.pt",
        _zip(_edit(records, "__torch__/jitscope_fixtures/classic.py", lambda d: rng.randbytes(len(d)))),
        "the model's code replaced by random bytes")
    add("invalid_code.pt",
        _zip(_edit(records, "__torch__/jitscope_fixtures/classic.py", lambda d: b"def forward(self, x:\n")),
        "the model's code is not valid TorchScript")
    add("short_tensor.pt", _zip(_edit(records, "/data/0", lambda d: d[:12])),
        "tensor record data/0 shortened from 64 to 12 bytes")
    add("missing_tensor.pt", _zip(_edit(records, "/data/0", lambda d: None)), "tensor record data/0 removed")
    # The weight is 4x4 over a 16-float storage ("K\x04K\x04t" is its size
    # tuple, "K\x10t" the storage's element count).
    add("huge_shape.pt",
        _zip(_edit(records, "/data.pkl",
                   lambda d: _replace(d, b"(K\x04K\x04t", b"(" + _long(1 << 40) + _long(1 << 40) + b"t"))),
        "weight declared as 2^40 x 2^40: the element count overflows")
    add("shape_past_storage.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"(K\x04K\x04t", b"(M\x00\x04K\x04t"))),
        "weight declared 1024 x 4 over a storage of 16 floats")
    add("huge_numel.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"K\x10t", _long(1 << 40) + b"t"))),
        "storage declared as 2^40 floats, backed by 64 bytes")
    add("numel_overflow.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"K\x10t", _long(1 << 62) + b"t"))),
        "storage of 2^62 floats: its byte size overflows")
    add("negative_numel.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"K\x10t", b"J\xff\xff\xff\xfft"))),
        "storage of -1 elements")
    # LibTorch's Unpickler sizes its memo table by the largest index it is
    # told to store: 0x72727272 entries of 16 bytes (30 GB) for a 4 KB file.
    add("memo_bomb.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"q\x00)", b"rrrrr)"))),
        "data.pkl stores memo entry 0x72727272 (LibTorch would allocate 30 GB)")
    add("unknown_dtype.pt",
        _zip(_edit(records, "/data.pkl", lambda d: _replace(d, b"torch\nFloatStorage", b"torch\nEvilStorage"))),
        "storage type torch.EvilStorage")
    for name, payload in HOSTILE_PICKLES.items():
        add(f"pickle_{name}.pt", _zip(_edit(records, "/data.pkl", lambda d, p=payload: p)),
            f"data.pkl is a hostile pickle ({name}) that would create {MARKER}")
    add("constants_os_system.pt",
        _zip(_edit(records, "/constants.pkl", lambda d: HOSTILE_PICKLES["os_system"])),
        f"constants.pkl calls os.system to create {MARKER}")
    # bytecode.pkl, which the lite interpreter (_load_for_mobile) unpickles:
    # the gate scans it as it scans data.pkl and constants.pkl.
    bytecode = f"{prefix}/bytecode.pkl"
    add("bytecode_os_system.pt", _zip(records + [(bytecode, HOSTILE_PICKLES["os_system"], zipfile.ZIP_STORED)]),
        f"a bytecode.pkl that calls os.system to create {MARKER}")
    add("deflated_bytecode_pkl.pt", _zip(records + [(bytecode, b"\x80\x02K\x08\x85." * 64, zipfile.ZIP_DEFLATED)]),
        "bytecode.pkl deflated (torch stores it uncompressed)")
    # Issue 18: nesting that LibTorch recurses on (its IValue destructor,
    # its compiler), each deep enough to end an unbounded jitscope with
    # SIGSEGV; refused by the bounds in pickle_scan.cpp and code_depth.h.
    deep = 300_000  # 100,000 is not yet enough to crash LibTorch 1.13
    nested_lists = b"\x80\x02" + b"](" * deep + b"e" * deep + b"."
    add("deep_lists_data_pkl.pt", _zip(_edit(records, "/data.pkl", lambda d: nested_lists)),
        f"data.pkl is a list nested {deep} deep")
    add("deep_dicts_constants_pkl.pt",
        _zip(_edit(records, "/constants.pkl",
                   lambda d: b"\x80\x02(" + b"}(K\x00" * deep + b"N" + b"u" * deep + b"t.")),
        f"constants.pkl holds a dict nested {deep} deep")
    debug_record = "__torch__/jitscope_fixtures/classic.py.debug_pkl"
    add("deep_bytecode_pkl.pt", _zip(records + [(bytecode, nested_lists, zipfile.ZIP_STORED)]),
        f"bytecode.pkl is a list nested {deep} deep")
    add("deep_debug_pkl.pt", _zip(_edit(records, debug_record, lambda d: nested_lists)),
        f"a .debug_pkl record is a list nested {deep} deep")
    add("damaged_debug_pkl.pt", _zip(_edit(records, debug_record, lambda d: d[:2] + b"a" * 64)),
        "a .debug_pkl record cut after its header and filled with APPEND opcodes")
    code_record = "__torch__/jitscope_fixtures/classic.py"
    add("deep_code_nesting.pt",
        _zip(_edit(records, code_record,
                   lambda d: b"def forward(self, x):\n    return " + b"(" * deep + b"x" + b")" * deep + b"\n")),
        f"the model's code nests brackets {deep} deep")
    add("long_code_chain.pt",
        _zip(_edit(records, code_record,
                   lambda d: b"def forward(self, x):\n    return x" + b" + x" * deep + b"\n")),
        f"the model's code chains {deep} additions in one expression")
    # Issue 18: the other recursions of LibTorch's parser and compiler
    # (code_depth.cpp, Note [What the compiler recurses on]); each crashed
    # `jitscope info` with SIGSEGV at this size before it was bounded.
    forward = b"def forward(self, x):\n"
    recursions = {
        "code_unary_run": (b"    return " + b"-" * deep + b"x\n", "a run of unary minuses (--...x)"),
        "code_eq_chain": (b"    return x" + b" == x" * deep + b"\n", "a chain of == comparisons"),
        "code_is_chain": (b"    return x" + b" is x" * deep + b"\n", "a chain of `is` tests"),
        "code_subscript_chain": (b"    return x" + b"[0]" * deep + b"\n", "a chain of subscripts x[0][0]..."),
        "code_call_chain": (b"    return x" + b"()" * deep + b"\n", "a chain of calls x()()..."),
        "code_continued_chain": (b"    return x" + b" + \\\n      x" * deep + b"\n",
                                 "additions continued over lines with backslashes"),
        "code_elif_chain": (b"    if x:\n      pass\n" + b"    elif x:\n      pass\n" * (deep // 2) + b"    return x\n",
                            "an if with as many elif branches"),
    }
    # Not a recursion but exponential time: 1.13's compiler emits the left
    # operand of `%` twice (fuzz_compiler: 32 `%` took 2 minutes and 6 GiB).
    recursions["code_modulo_chain"] = (b"    return x" + b" % x" * 40 + b"\n", "a chain of `%`")
    # Nor this: quadratic time (1.13 drops a node's inputs one at a time);
    # fuzz_compiler's hour found two 132,000-item lists taking 8 s.
    recursions["code_wide_list"] = (b"    return [x" + b", x" * deep + b"]\n", "a list literal of as many items")
    for name, (body, what) in recursions.items():
        add(f"{name}.pt", _zip(_edit(records, code_record, lambda d, b=body: forward + b)),
            f"the model's code holds {what}" + ("" if name == "code_modulo_chain" else f", {deep} long"))
    blocks = b"".join(b" " * (4 + i) + b"if x:\n" for i in range(1500)) + b" " * 1504 + b"pass\n"
    add("code_block_nesting.pt", _zip(_edit(records, code_record, lambda d: forward + blocks)),
        "the model's code nests if blocks 1500 deep (10,000 crashed the compiler; too big for the corpus)")
    add("version_high.pt", _zip(_edit(records, "/version", lambda d: b"999\n")), "format version 999")
    add("version_garbage.pt", _zip(_edit(records, "/version", lambda d: b"x1\n")), "version record not a number")
    add("deflated_data_pkl.pt",
        _zip([(n, d, zipfile.ZIP_DEFLATED if n.endswith(".pkl") else c) for n, d, c in records]),
        "data.pkl deflated (torch stores it uncompressed)")
    add("bzip2_records.pt", _zip(records, compress=zipfile.ZIP_BZIP2), "every record bzip2-compressed")
    add("zip_bomb.pt", _zip_bomb(prefix, records), "a code record that inflates 256 KiB to 256 MiB")
    locals_ = [(n, d) for n, d, _ in records]
    data0 = next(i for i, (n, _) in enumerate(locals_) if n.endswith("/data/0"))
    add("overlapping_records.pt",
        _local_zip({"locals": locals_,
                    "central": [(n, i) for i, (n, _) in enumerate(locals_)] +
                               [(f"{prefix}/extra/copy{k}", data0) for k in range(64)]}),
        "64 extra records pointing at the bytes of data/0 (overlapping-records zip bomb)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, which is the point
        add("duplicate_record.pt", _zip(records + [r for r in records if r[0].endswith("/data.pkl")]),
            "data.pkl appears twice")
    add("dotdot_record.pt", _zip(records + [(f"{prefix}/../../evil.py", b"x = 1\n", 0)]),
        "a record named prefix/../../evil.py")
    add("outside_prefix.pt", _zip(records + [("other/data.pkl", b"\x80\x02N.", 0)]),
        "a record outside the archive's folder")
    add("empty_zip.pt", _zip([]), "a zip with no records")
    state, tensor, legacy = io.BytesIO(), io.BytesIO(), io.BytesIO()
    torch.manual_seed(0)
    torch.save(MyCell().state_dict(), state)
    torch.save(torch.rand(3), tensor)
    torch.save(torch.rand(3), legacy, _use_new_zipfile_serialization=False)
    add("torch_save_state_dict.pt", state.getvalue(), "torch.save of a state_dict")
    add("torch_save_tensor.pt", tensor.getvalue(), "torch.save of a tensor")
    add("torch_save_legacy.pt", legacy.getvalue(), "legacy (non-zip) torch.save")
    onnx = out.path("bad/model.onnx")
    if onnx.exists():
        add("model.onnx", onnx.read_bytes(), "an ONNX model")

    # Example inputs for `audit --inputs` (torch.save files, not in the
    # corpus): the same checks apply before LibTorch's unpickler reads them.
    _, inputs = make_cell_and_inputs()
    saved = io.BytesIO()
    torch.save(tuple(inputs), saved)
    input_records = _records(saved.getvalue())
    out.write_bytes(_zip(_edit(input_records, "/data/0", lambda d: d[:8])), "hostile/inputs/short_tensor.pt")
    out.write_bytes(_zip(_edit(input_records, "/data.pkl", lambda d: HOSTILE_PICKLES["os_system"])),
                    "hostile/inputs/os_system.pt")
    # OrderedDict called with its items, which torch.save never writes (it
    # writes OrderedDict() then SETITEMS): jitscope's pickle rewrite for
    # LibTorch 1.13 refuses it with one line (issue 18).
    ordered_args = b"\x80\x02ccollections\nOrderedDict\n(]tR\x85."
    out.write_bytes(_zip(_edit(input_records, "/data.pkl", lambda d: ordered_args)),
                    "hostile/inputs/ordered_dict_args.pt")

    # Valid archives that only isolation contains (tests/golden/isolation.test);
    # not in the corpus: without --timeout/--max-memory they hang or take 4 GiB.
    out.save_module(torch.jit.script(SetstateHang()), "hostile/isolation/setstate_hang.pt")
    out.save_module(torch.jit.script(SetstateAlloc()), "hostile/isolation/setstate_alloc.pt")

    for name, (data, _) in sorted(files.items()):
        out.write_bytes(data, f"hostile/{name}")
    # A directory where a file is expected.
    out.path("hostile/directory.pt").mkdir(parents=True, exist_ok=True)
    descriptions = {name: what for name, (_, what) in files.items()}
    descriptions["directory.pt"] = "a directory"
    out.write_json(descriptions, "hostile/corpus.json")
    result = GroupResult()
    result.note = f"{len(descriptions)} hostile inputs"
    return result
