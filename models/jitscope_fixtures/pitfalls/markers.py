"""Finds the `# lost: <category>` comment in a fixture class's source.

Parsed with tokenize (comments) and ast (enclosing function), never by line
numbers written down elsewhere, so editing a fixture file cannot make the
ground truth point at the wrong line.
"""

import ast
import inspect
import io
import os
import re
import tokenize
from dataclasses import dataclass
from typing import Optional

from ..output import FixtureError
from .spec import CATEGORIES

_MARKER = re.compile(r"#\s*lost:\s*(\S+)\s*$")


@dataclass(frozen=True)
class Marker:
    category: str
    line: int           # 1-based line in `source`
    function: str       # name of the def that holds the line


def source_file(cls) -> str:
    """Absolute path of the file defining `cls`: what the trace records."""
    return os.path.abspath(inspect.getsourcefile(cls))


def find_marker(cls) -> Optional[Marker]:
    """The class's single `# lost:` marker, or None for a clean control."""
    lines, first = inspect.getsourcelines(cls)
    text = "".join(lines)
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        match = tok.type == tokenize.COMMENT and _MARKER.match(tok.string)
        if match:
            found.append((match.group(1), first + tok.start[0] - 1))
    if not found:
        return None
    category, line = found[0]
    where = f"{source_file(cls)}:{line}: class {cls.__name__}"
    if len(found) > 1:
        raise FixtureError(f"{where}: {len(found)} '# lost:' markers; a fixture has one")
    if category not in CATEGORIES:
        raise FixtureError(f"{where}: unknown category '{category}'; "
                           f"known: {', '.join(CATEGORIES)}")
    return Marker(category, line, _enclosing_function(cls, line))


def _enclosing_function(cls, line: int) -> str:
    tree = ast.parse(open(source_file(cls)).read())
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and node.lineno <= line <= node.end_lineno:
            if best is None or node.lineno > best.lineno:     # innermost def
                best = node
    if best is None:
        raise FixtureError(f"{source_file(cls)}:{line}: '# lost:' marker outside any function")
    return best.name
