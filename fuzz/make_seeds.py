#!/usr/bin/env python3
"""Seeds for the fuzz targets: make_seeds.py MODELS OUT

Copies the fixture models and the hostile corpus under 2 MB (MODELS, a
build's models/ folder) to OUT/archive, and the pickles inside them under
1 MB to OUT/pickle; makes OUT/compiler (fuzz_compiler's bytes drive a
grammar: it starts from nothing). Used by scripts/fuzz.sh and
scripts/gpu/fuzz-sanitized.sh.
Standard library only.
"""
import pathlib
import shutil
import sys
import zipfile


def main(models, out):
    models, out = pathlib.Path(models), pathlib.Path(out)
    for sub in ("archive", "pickle", "compiler"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    files = [p for pattern in ("*.pt", "*.onnx", "*/*.pt", "*/*.onnx") for p in models.glob(pattern)]
    for path in files:
        if path.is_file() and path.stat().st_size < 2 << 20:
            shutil.copyfile(path, out / "archive" / f"{path.parent.name}-{path.name}")
    for path in list(models.glob("*.pt")) + list(models.glob("hostile/*.pt")):
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.filename.endswith(".pkl") and info.file_size < 1 << 20:
                        name = f"{path.stem}-{info.filename.replace('/', '_')}"
                        (out / "pickle" / name).write_bytes(archive.read(info))
        except (zipfile.BadZipFile, OSError, NotImplementedError, KeyError, EOFError, ValueError):
            pass  # hostile files that are not zips stay archive seeds only
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_seeds.py MODELS OUT")
    sys.exit(main(sys.argv[1], sys.argv[2]))
