#!/usr/bin/env python3
"""ctest docs.ci_examples: the examples in docs/ci.md work as written.

usage: ci_examples.py --jitscope BIN [--doc docs/ci.md] [--keep]

Reads docs/ci.md (next to this script's tests/ folder) and takes from it the
repository layout block, the ```toml block that starts `# jitscope.toml`, and
the ```yaml blocks that start `# .github/workflows/models.yml` and
`# .gitlab-ci.yml`, so an edit to the document is what gets tested. In a
temporary folder it builds the repository the layout describes:
  - export.py, written here: a wrapped module whose forward has an `if` on
    tensor data, exported with torch.jit.script to the `path` the TOML names;
  - the TOML's `inputs`, a torch.save'd tuple;
  - the TOML's snapshot, by running the command in the layout block's comment;
  - the TOML's allow-file, the operators of that snapshot;
  - jitscope.toml, the document's block verbatim.
Then, for each pipeline, it checks the YAML's structure, runs its shell steps
in order with `bash -e -c` (a PATH with `jitscope` and `python` first; the
install step is left out), and checks the exit codes and files: on the clean
export, exit 0; after export.py is changed to torch.jit.trace (the branch is
lost), the `jitscope ci` line exits 1, the JUnit has a failure and the SARIF
has a result on export.py's `if` line. GitHub's upload-sarif is emulated: every
result's `file://` URI, made relative to `checkout_path`, must name a file in
the checkout. Nothing runs on GitHub or GitLab.

One line per check ("ok   ..." or "FAIL ..."); exit 0 when all pass, else 1.
Needs torch and PyYAML in the Python that runs it.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

import torch
import yaml

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "docs", "ci.md")
CHECK_SARIF = os.path.join(HERE, "..", "golden", "tools", "check_sarif.py")
CHECK_JUNIT = os.path.join(HERE, "..", "golden", "tools", "check_junit.py")

TOML_TAG = "# jitscope.toml"
GITHUB_TAG = "# .github/workflows/models.yml"
GITLAB_TAG = "# .gitlab-ci.yml"
INSTALL_SCRIPT = "scripts/install-jitscope.sh"

# The export the pipelines check. {path} is the TOML's model path; SCRIPTED
# is replaced by TRACED for the regression.
EXPORT_PY = '''\
"""Exports the gate model (written by tests/docs/ci_examples.py)."""
import os

import torch
from torch import nn


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        y = self.linear(x)
        if y.sum() > 0:
            return y * 2
        else:
            return y - 1


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate = Gate()

    def forward(self, x):
        return torch.tanh(self.gate(x))


torch.manual_seed(0)
model = Model().eval()
exported = torch.jit.script(model)
os.makedirs(os.path.dirname({path!r}) or ".", exist_ok=True)
exported.save({path!r})
'''
IF_LINE = "if y.sum() > 0:"
SCRIPTED = "exported = torch.jit.script(model)"
TRACED = "exported = torch.jit.trace(model, (torch.ones(3, 4),))"

# GitLab's rule for artifacts:expose_as (lib/gitlab/ci/config/entry/artifacts.rb).
EXPOSE_AS = re.compile(r"\A\w[-\w ]*\Z")
WORKSPACE_EXPR = re.compile(r"\$\{\{\s*github\.workspace\s*\}\}")


class Abort(Exception):
    """A check whose failure leaves nothing further to test."""


class Checks:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def __call__(self, ok, what, why=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f": {why}" if why else ""))
        sys.stdout.flush()
        return ok

    def require(self, ok, what, why=""):
        if not self(ok, what, why):
            raise Abort(what)


# --- reading the document ---------------------------------------------------

def fenced_blocks(text):
    """(language, body) of every ``` block, in order."""
    return [(m.group(1), m.group(2))
            for m in re.finditer(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", text, re.MULTILINE | re.DOTALL)]


def block_by_tag(blocks, lang, tag):
    found = [body for l, body in blocks if l == lang and body.lstrip().startswith(tag + "\n")]
    return found[0] if len(found) == 1 else None


def layout_block(blocks):
    """{file: comment} of the untyped block that lists jitscope.toml."""
    for lang, body in blocks:
        if lang:
            continue
        entries = {}
        for line in body.splitlines():
            if not line.strip():
                continue
            name, _, comment = line.partition("#")
            entries[name.strip()] = comment.strip()
        if "jitscope.toml" in entries:
            return entries
    return None


# --- running steps ------------------------------------------------------------

def substitute(text, root):
    return WORKSPACE_EXPR.sub(root, text)


def run_bash(script, root, env):
    run = subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.returncode, run.stdout


def tail(output, lines=12):
    return "\n       | ".join([""] + output.rstrip().splitlines()[-lines:])


def ci_command(script):
    """(argv, options, unknown options) of the `jitscope ci` line in a
    shell script, or None."""
    for line in script.splitlines():
        argv = shlex.split(line, comments=True)
        if argv[:2] == ["jitscope", "ci"]:
            parser = argparse.ArgumentParser(prog="jitscope ci", add_help=False, exit_on_error=False)
            parser.add_argument("--config", default="jitscope.toml")
            parser.add_argument("-j", type=int)
            parser.add_argument("--only", nargs="+")
            for flag in ("--junit", "--sarif", "--json", "--html", "--report-dir"):
                parser.add_argument(flag)
            options, unknown = parser.parse_known_args(argv[2:])
            return argv, options, unknown
    return None


def written_files(options):
    """What the jitscope ci line writes: its report files and, with
    --report-dir, that folder (as an artifact path names it, no slash)."""
    report_dir = options.report_dir.rstrip("/") if options.report_dir else None
    return {f for f in (options.junit, options.sarif, options.json, options.html, report_dir) if f}


def check_report_pages(check, root, options, models, label):
    """With --report-dir: a page per model, linked from the --html summary."""
    if not options.report_dir:
        return
    for name in models:
        page = os.path.join(root, options.report_dir, name + ".html")
        text = open(page, encoding="utf-8").read() if os.path.isfile(page) else ""
        check('<section id="graph">' in text and '<section id="passes">' in text,
              f"{label}: --report-dir has {name}.html with the graph and the pass statistics", page)
        if options.html and os.path.isfile(os.path.join(root, options.html)):
            href = os.path.relpath(page, os.path.dirname(os.path.join(root, options.html)))
            summary = open(os.path.join(root, options.html), encoding="utf-8").read()
            check(f'<a href="{href}">{name}</a>' in summary, f"{label}: {options.html} links {name} to {href}")


# --- the files a pipeline leaves -------------------------------------------------

def junit_cases(path):
    """(testcase count, failure count), or a string saying why not."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return str(e)
    cases = list(root.iter("testcase"))
    return len(cases), sum(1 for c in cases if c.find("failure") is not None)


def check_junit(check, root, name, failures_expected, label):
    path = os.path.join(root, name)
    tool = subprocess.run([sys.executable, CHECK_JUNIT, path], capture_output=True, text=True)
    check(tool.returncode == 0 and "junit ok" in tool.stdout,
          f"{label}: {name} passes tests/golden/tools/check_junit.py", (tool.stdout + tool.stderr).strip())
    counted = junit_cases(path)
    if isinstance(counted, str):
        check(False, f"{label}: {name} parses with xml.etree", counted)
        return
    cases, failures = counted
    if failures_expected:
        check(cases > 0 and failures > 0, f"{label}: {name} has {cases} testcases, {failures} with <failure>",
              "expected at least one failure")
    else:
        check(cases > 0 and failures == 0, f"{label}: {name} has {cases} testcases, {failures} with <failure>",
              "expected testcases and no failure")


def sarif_results(check, root, name, label):
    """Runs check_sarif.py; returns the results, or None."""
    path = os.path.join(root, name)
    tool = subprocess.run([sys.executable, CHECK_SARIF, path], capture_output=True, text=True)
    if not check(tool.returncode == 0 and "sarif ok" in tool.stdout,
                 f"{label}: {name} is SARIF 2.1.0 (tests/golden/tools/check_sarif.py)",
                 "".join((tool.stdout + tool.stderr).strip().splitlines()[-1:])):
        return None
    with open(path) as f:
        log = json.load(f)
    return [r for run in log["runs"] for r in run.get("results", [])]


def repo_relative(uri, checkout):
    """What upload-sarif does with checkout_path: the repository-relative path
    of a result's artifactLocation URI, or None when it is outside."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme == "file":
        path = urllib.parse.unquote(parsed.path)
    elif parsed.scheme:
        return None
    else:
        path = urllib.parse.unquote(uri)
        if not os.path.isabs(path):
            return os.path.normpath(path)
    rel = os.path.relpath(path, checkout)
    return None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel


def check_locations(check, results, checkout, label):
    """Every result's location resolves to a file in the checkout; returns
    [(relative path, startLine, ruleId)]."""
    placed, bad = [], []
    for result in results:
        for location in result["locations"]:
            physical = location["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            rel = repo_relative(uri, checkout)
            if rel is None or not os.path.isfile(os.path.join(checkout, rel)):
                bad.append(uri)
            else:
                placed.append((rel, physical.get("region", {}).get("startLine"), result["ruleId"]))
    files = sorted({p for p, _, _ in placed})
    check(not bad, f"{label}: upload-sarif with checkout_path: {len(results)} results, every URI is a file "
          f"in the checkout ({', '.join(files) or 'none'})", f"outside the checkout or missing: {bad[:3]}")
    return placed


# --- the repository ---------------------------------------------------------------

def build_repository(check, doc, root, env):
    """Writes the layout's files; returns what the pipelines need."""
    blocks = fenced_blocks(doc)
    toml_text = block_by_tag(blocks, "toml", TOML_TAG)
    check.require(toml_text is not None, f"docs/ci.md has one ```toml block starting '{TOML_TAG}'")
    layout = layout_block(blocks)
    check.require(layout is not None, "docs/ci.md has a repository layout block listing jitscope.toml")
    check.require(tomllib is not None, f"Python {sys.version.split()[0]} has tomllib (3.11+) to read the TOML")
    config = tomllib.loads(toml_text)
    models = config.get("model", [])
    check.require(len(models) == 1, "the TOML has one [[model]]", f"it has {len(models)}")
    model = models[0]
    path, inputs = model.get("path"), model.get("inputs")
    snapshot = model.get("diff", {}).get("snapshot")
    allow_file = model.get("ops", {}).get("allow-file")
    check.require(all([path, inputs, snapshot, allow_file]),
                  "the TOML's model has path, inputs, [model.diff] snapshot and [model.ops] allow-file")
    missing = [f for f in ("export.py", "jitscope.toml", inputs, snapshot, allow_file) if f not in layout]
    check(not missing, "the layout lists export.py, jitscope.toml and every file the TOML reads",
          f"not listed: {missing}")
    check(path in layout.get("export.py", "").split(), f"the layout says export.py writes {path}, the TOML's path",
          f"its comment is '{layout.get('export.py')}'")
    snap_cmd = layout.get(snapshot, "")
    argv = shlex.split(snap_cmd)
    expected = ["jitscope", "snapshot", path, "--inputs", inputs, "-o", snapshot]
    check.require(argv == expected, f"the layout's snapshot command reads {path} and {inputs}, writes {snapshot}",
                  f"'{snap_cmd}', expected '{shlex.join(expected)}'")

    # A checkout has the folders of the committed files.
    for name in layout:
        os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
    with open(os.path.join(root, "jitscope.toml"), "w") as f:
        f.write(toml_text)
    export_py = EXPORT_PY.format(path=path)
    with open(os.path.join(root, "export.py"), "w") as f:
        f.write(export_py)
    torch.manual_seed(1)
    torch.save((torch.rand(3, 4),), os.path.join(root, inputs))

    rc, out = run_bash("python export.py", root, env)
    check.require(rc == 0 and os.path.isfile(os.path.join(root, path)),
                  f"python export.py writes {path} with torch.jit.script", f"exit {rc}{tail(out)}")
    rc, out = run_bash(snap_cmd, root, env)
    check.require(rc == 0 and os.path.isfile(os.path.join(root, snapshot)),
                  f"the layout's snapshot command writes {snapshot}", f"exit {rc}{tail(out)}")
    with open(os.path.join(root, snapshot)) as f:
        ops = json.load(f)["ops"]
    with open(os.path.join(root, allow_file), "w") as f:
        f.write(f"# the operators of {snapshot}\n" + "".join(op + "\n" for op in ops))
    print(f"     repository: export.py, {inputs}, {snapshot}, {allow_file} ({len(ops)} ops), jitscope.toml")
    os.remove(os.path.join(root, path))  # the pipeline's export step must write it
    return {"blocks": blocks, "path": path, "export_py": export_py, "models": [model.get("name", "gate")],
            "if_line": export_py.splitlines().index(next(l for l in export_py.splitlines() if IF_LINE in l)) + 1}


def reset(root, repo, outputs, traced):
    """The checkout before a pipeline run: no export, no reports; export.py
    scripted or traced."""
    for name in outputs | {repo["path"]}:
        target = os.path.join(root, name)
        if os.path.isdir(target):
            shutil.rmtree(target)
        elif os.path.exists(target):
            os.remove(target)
    text = repo["export_py"]
    if traced:
        assert SCRIPTED in text
        text = text.replace(SCRIPTED, TRACED)
    with open(os.path.join(root, "export.py"), "w") as f:
        f.write(text)


# --- GitHub Actions ----------------------------------------------------------------

def github(check, repo, root, env):
    text = block_by_tag(repo["blocks"], "yaml", GITHUB_TAG)
    check.require(text is not None, f"docs/ci.md has one ```yaml block starting '{GITHUB_TAG}'")
    workflow = yaml.safe_load(text)
    # YAML 1.1 reads the key `on` as the boolean true; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    check("pull_request" in (triggers or []), "github: the workflow runs on pull_request", f"on: {triggers}")
    jobs = workflow.get("jobs") or {}
    check.require(len(jobs) == 1, "github: one job", f"jobs: {list(jobs)}")
    job_name, job = next(iter(jobs.items()))
    steps = job.get("steps") or []
    check.require(steps and all(isinstance(s, dict) for s in steps), f"github: job '{job_name}' has steps")
    check(all(("uses" in s) != ("run" in s) for s in steps), "github: every step has either uses or run")
    unpinned = [s["uses"] for s in steps if "uses" in s and not re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+(\.\d+)*", s["uses"])]
    check(not unpinned, "github: every uses is pinned to a version tag (@v...)", f"not pinned: {unpinned}")
    check(steps[0].get("uses", "").startswith("actions/checkout@"), "github: the first step is actions/checkout")
    permissions = job.get("permissions") or {}
    check(permissions.get("security-events") == "write", "github: the job may write security-events (upload-sarif)",
          f"permissions: {permissions}")

    ci_steps = [(i, s) for i, s in enumerate(steps) if "run" in s and ci_command(s["run"])]
    check.require(len(ci_steps) == 1, "github: one step runs `jitscope ci`", f"{len(ci_steps)} do")
    ci_index, ci_step = ci_steps[0]
    argv, options, unknown = ci_command(ci_step["run"])
    check(not unknown, "github: the jitscope ci step uses only options jitscope ci has", f"unknown: {unknown}")
    check(options.config == "jitscope.toml", "github: jitscope ci reads jitscope.toml, the layout's config",
          f"--config {options.config}")
    writes = written_files(options)

    def one_step(prefix, what):
        found = [(i, s) for i, s in enumerate(steps) if s.get("uses", "").startswith(prefix + "@")]
        check.require(len(found) == 1, f"github: one {what} step ({prefix})")
        return found[0]

    sarif_index, sarif_step = one_step("github/codeql-action/upload-sarif", "upload-sarif")
    artifact_index, artifact_step = one_step("actions/upload-artifact", "upload-artifact")
    sarif_with = sarif_step.get("with") or {}
    sarif_file = sarif_with.get("sarif_file")
    check(sarif_file is not None and sarif_file == options.sarif,
          f"github: upload-sarif's sarif_file ({sarif_file}) is the --sarif jitscope ci writes ({options.sarif})")
    artifact_paths = [p.strip().rstrip("/") for p in str((artifact_step.get("with") or {}).get("path", "")).splitlines()
                      if p.strip()]
    check(artifact_paths and set(artifact_paths) == writes,
          f"github: upload-artifact's paths {artifact_paths} are the files jitscope ci writes",
          f"jitscope ci writes {sorted(writes)}")
    for index, step in ((sarif_index, sarif_step), (artifact_index, artifact_step)):
        check(str(step.get("if", "")).replace(" ", "") == "always()" and index > ci_index,
              f"github: '{step.get('name', step['uses'])}' runs after jitscope ci with if: always()",
              f"if: {step.get('if')}")
    checkout_path = substitute(str(sarif_with.get("checkout_path", "${{ github.workspace }}")), root)
    checkout_path = os.path.join(root, checkout_path)  # a relative one is under the workspace

    run_steps = [s for s in steps if "run" in s]
    leftover = [s["run"] for s in run_steps if "${{" in substitute(s["run"], root)]
    check(not leftover, "github: the run steps use no expression but ${{ github.workspace }}", f"{leftover}")
    outputs = writes | {sarif_file} | set(artifact_paths)

    for traced in (False, True):
        label = "github, traced export" if traced else "github, scripted export"
        reset(root, repo, outputs, traced)
        ran = []
        for step in run_steps:
            name = step.get("name", step["run"])
            if INSTALL_SCRIPT in step["run"]:
                print(f"     {label}: step '{name}' left out (jitscope is on PATH)")
                continue
            rc, out = run_bash(substitute(step["run"], root), root, env)
            ran.append((step, name, rc, out))
            if rc != 0:
                break  # GitHub skips the later steps that lack if: always()
        for step, name, rc, out in ran:
            want = 1 if traced and step is ci_step else 0
            check(rc == want, f"{label}: step '{name}' exits {want}", f"exit {rc}{tail(out)}")
        check(any(step is ci_step for step, _, _, _ in ran), f"{label}: the jitscope ci step ran")
        missing = [p for p in sorted(set(artifact_paths) | {sarif_file}) if not os.path.exists(os.path.join(root, p))]
        check(not missing, f"{label}: sarif_file and the artifact paths exist", f"missing: {missing}")
        if options.junit and os.path.isfile(os.path.join(root, options.junit)):
            check_junit(check, root, options.junit, traced, label)
        check_report_pages(check, root, options, repo["models"], label)
        if sarif_file and os.path.isfile(os.path.join(root, sarif_file)):
            results = sarif_results(check, root, sarif_file, label)
            if results is not None:
                placed = check_locations(check, results, checkout_path, label)
                if traced:
                    on_if = [p for p in placed if p[0] == "export.py" and p[1] == repo["if_line"]]
                    check(bool(on_if), f"{label}: a SARIF result is on export.py:{repo['if_line']}, the `if` "
                          f"({', '.join(sorted({p[2] for p in on_if}))})",
                          f"results on export.py: {[p for p in placed if p[0] == 'export.py']}")


# --- GitLab CI ------------------------------------------------------------------------

def gitlab(check, repo, root, env):
    text = block_by_tag(repo["blocks"], "yaml", GITLAB_TAG)
    check.require(text is not None, f"docs/ci.md has one ```yaml block starting '{GITLAB_TAG}'")
    pipeline = yaml.safe_load(text)
    jobs = {k: v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v}
    check.require(len(jobs) == 1, "gitlab: one job with a script", f"jobs: {list(jobs)}")
    job_name, job = next(iter(jobs.items()))
    lines = [str(l) for l in (job.get("before_script") or []) + (job.get("script") or [])]
    ci_lines = [l for l in lines if ci_command(l)]
    check.require(len(ci_lines) == 1, f"gitlab: job '{job_name}' has one `jitscope ci` line", f"{len(ci_lines)}")
    argv, options, unknown = ci_command(ci_lines[0])
    check(not unknown, "gitlab: the jitscope ci line uses only options jitscope ci has", f"unknown: {unknown}")
    check(options.config == "jitscope.toml", "gitlab: jitscope ci reads jitscope.toml, the layout's config",
          f"--config {options.config}")
    writes = written_files(options)
    artifacts = job.get("artifacts") or {}
    check(artifacts.get("when") == "always", "gitlab: artifacts.when is always", f"when: {artifacts.get('when')}")
    junit = (artifacts.get("reports") or {}).get("junit")
    check(junit is not None and junit == options.junit,
          f"gitlab: artifacts.reports.junit ({junit}) is the --junit jitscope ci writes ({options.junit})")
    paths = [str(p).rstrip("/") for p in artifacts.get("paths") or []]
    check(paths and set(paths) <= writes, f"gitlab: artifacts.paths {paths} are files jitscope ci writes",
          f"jitscope ci writes {sorted(writes)}")
    if "expose_as" in artifacts:
        check(bool(EXPOSE_AS.match(str(artifacts["expose_as"]))) and paths
              and not any(any(c in p for c in "*$") for p in paths),
              f"gitlab: expose_as '{artifacts['expose_as']}' is a valid name over plain paths")
    outputs = writes | set(paths) | ({junit} if junit else set())

    for traced in (False, True):
        label = "gitlab, traced export" if traced else "gitlab, scripted export"
        reset(root, repo, outputs, traced)
        codes = []
        for line in lines:
            if INSTALL_SCRIPT in line:
                print(f"     {label}: '{line}' left out (jitscope is on PATH)")
                continue
            rc, out = run_bash(line, root, env)
            codes.append((line, rc, out))
            if rc != 0:
                break  # the job fails; artifacts:when: always still keeps the files
        for line, rc, out in codes:
            want = 1 if traced and line == ci_lines[0] else 0
            shown = line if len(line) <= 40 else line[:37] + "..."
            check(rc == want, f"{label}: `{shown}` exits {want}", f"exit {rc}{tail(out)}")
        if traced:
            check(codes[-1][0] == ci_lines[0], f"{label}: the job stopped at the jitscope ci line")
        else:
            check(len(codes) == len([l for l in lines if INSTALL_SCRIPT not in l]), f"{label}: every script line ran")
        missing = [p for p in sorted(set(paths) | {junit}) if p and not os.path.exists(os.path.join(root, p))]
        check(not missing, f"{label}: the junit report and artifacts.paths exist", f"missing: {missing}")
        if junit and os.path.isfile(os.path.join(root, junit)):
            check_junit(check, root, junit, traced, label)
        check_report_pages(check, root, options, repo["models"], label)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jitscope", required=True)
    parser.add_argument("--doc", default=DOC, help="the document to test (default: docs/ci.md)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    start = time.monotonic()
    check = Checks()
    with open(args.doc) as f:
        doc = f.read()
    scratch = tempfile.mkdtemp(prefix="jitscope-ci-examples-")
    try:
        # realpath: Python records the real path of export.py, so the
        # workspace must be one too (GitHub's /home/runner/work/R/R is).
        root = os.path.realpath(os.path.join(scratch, "checkout"))
        bin_dir = os.path.join(scratch, "bin")
        os.makedirs(root)
        os.makedirs(bin_dir)
        os.symlink(os.path.abspath(args.jitscope), os.path.join(bin_dir, "jitscope"))
        # A script, not a symlink: a symlink to a virtualenv's python (the
        # GPU machine's torch lives in one) loses the virtualenv.
        shim = os.path.join(bin_dir, "python")
        with open(shim, "w") as f:
            f.write('#!/bin/sh\nexec "%s" "$@"\n' % sys.executable)
        os.chmod(shim, 0o755)
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""),
                   GITHUB_WORKSPACE=root, CI="true", PYTHONDONTWRITEBYTECODE="1")
        repo = build_repository(check, doc, root, env)
        github(check, repo, root, env)
        gitlab(check, repo, root, env)
    except Abort:
        pass
    finally:
        if args.keep:
            print(f"     kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"{check.passed} passed, {check.failed} failed ({time.monotonic() - start:.1f} s)")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
