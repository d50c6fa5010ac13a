"""manifest.json: PyTorch's own view of every generated model, for the C++ tests.

Each entry is computed by *loading the saved file* (not from the in-memory
module), so it describes exactly what a LibTorch loader will see.

Layout (keys are paths relative to the output root):
  "<path>.pt": {"kind", "provenance", "ops", "nodes", "if", "loop", "inputs",
                "params", "buffers", "group"}
"kind" says how the file was built; "provenance" what its archive can prove
(see provenance_from_archive), which is what `jitscope info` must report.
  "bad":       {"bad/<file>": "<what is wrong with it>"}
The manifest is also CMake's stamp file, so it is written last.
"""

import json
from collections import Counter
from typing import Dict, Iterable

import torch

from .output import Artifact, BadFile, OutDir

MANIFEST = "manifest.json"


def node_histogram(graph) -> Dict[str, int]:
    """Node kinds of `graph`, counting nodes inside nested blocks too."""
    counts: Counter = Counter()

    def walk(block):
        for node in block.nodes():
            counts[node.kind()] += 1
            for sub in node.blocks():
                walk(sub)

    walk(graph)
    return dict(sorted(counts.items()))


# Nodes the tracer emits without recording a Python stack: a traced graph made
# only of these carries no evidence of how it was made.
_UNSOURCED_KINDS = {"prim::Constant", "prim::GetAttr", "prim::CallMethod",
                    "prim::TupleConstruct", "prim::TupleUnpack",
                    "prim::ListConstruct", "prim::ListUnpack",
                    "prim::DictConstruct"}


def provenance_from_archive(kind: str, ops: Dict[str, int]) -> str:
    """What a saved archive can prove about how a model was made.

    A traced model whose trace kept control flow (prim::If / prim::Loop) must
    embed scripted code, e.g. a @torch.jit.script_if_tracing helper: mixed.
    A traced model whose graph holds no computing node at all (a frozen branch
    that returned its input unchanged) records no Python source anywhere, so
    nothing in the file shows it was traced: unknown.
    """
    if kind != "traced":
        return kind
    if ops.get("prim::If", 0) or ops.get("prim::Loop", 0):
        return "mixed"
    if all(op in _UNSOURCED_KINDS for op in ops):
        return "unknown"
    return kind


def describe(out: OutDir, artifact: Artifact, group: str) -> dict:
    module = torch.jit.load(str(out.path(artifact.path)), map_location="cpu")
    ops = node_histogram(module.inlined_graph)
    return {
        "kind": artifact.kind,
        "provenance": provenance_from_archive(artifact.kind, ops),
        "ops": ops,
        "nodes": sum(ops.values()),
        "if": ops.get("prim::If", 0),
        "loop": ops.get("prim::Loop", 0),
        "inputs": artifact.inputs,
        "params": len(list(module.parameters())),
        "buffers": len(list(module.buffers())),
        "group": group,
    }


def _previous(out: OutDir) -> dict:
    try:
        return json.loads(out.path(MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def write(out: OutDir, built: Dict[str, Iterable[Artifact]], bad: Iterable[BadFile],
          bad_built: bool) -> int:
    """Write the manifest; returns the number of model entries.

    `built` maps each group run this time to its artifacts.  Entries of groups
    not run this time (e.g. after `--only bench`) are kept from the previous
    manifest as long as their file still exists, so partial rebuilds never
    drop the rest of the fixtures from the manifest.
    """
    old = _previous(out)
    manifest = {}
    for path, entry in old.items():
        if path == "bad" or not isinstance(entry, dict):
            continue
        if entry.get("group") not in built and out.path(path).is_file():
            manifest[path] = entry
    for group, artifacts in built.items():
        for artifact in artifacts:
            manifest[artifact.path] = describe(out, artifact, group)
    if bad_built:
        manifest["bad"] = {b.path: b.description for b in bad}
    elif isinstance(old.get("bad"), dict):
        manifest["bad"] = old["bad"]
    out.write_json(manifest, MANIFEST)
    return sum(1 for key in manifest if key != "bad")
