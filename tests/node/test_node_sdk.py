"""The official ``openai`` npm package against sora-mock: ``node --test`` in tests/node, run from pytest.

So the README's one test command covers the Node SDK too. This test starts a server on a free
127.0.0.1 port, runs the Node cases (``*.test.mjs``) against it with ``SORA_MOCK_URL`` set, and
reads their TAP report: a failing case fails this test by name. Cases marked ``todo`` (calls the
SDK has and the mock does not serve yet) report without failing; one that passes is stale, and
fails this test until its flag is removed, so a newly served route becomes a real check.

Node and the locked packages (``npm ci`` in tests/node) must be installed: outside CI this test
skips without them, saying how to install them; in CI (``CI`` set) it fails, as the browser tests do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from contract_tests.core import images
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

NODE_DIR = Path(__file__).resolve().parent
README = NODE_DIR.parents[1] / "README.md"
INSTALL_NODE = "apt-get update && apt-get install -y nodejs npm"
NPM_CI = "npm ci --prefix tests/node"
OLDEST_NODE = 18  # node:test with todo cases and --test-reporter; the SDK needs a File global (mock.mjs)
NODE_TIMEOUT_S = 300  # a hung case fails the run instead of hanging it

# "ok 3 - name # TODO reason", possibly indented (Node 18 nests each file's cases under the file).
TAP_RESULT = re.compile(r"^\s*(?P<outcome>not ok|ok) \d+ - (?P<name>.*?)(?: # (?P<directive>TODO|SKIP)\b.*)?$")


@dataclass(frozen=True)
class NodeCase:
    name: str
    passed: bool
    directive: str | None  # "TODO", "SKIP" or None


def parse_tap(report: str) -> list[NodeCase]:
    """Every test result line of a TAP report (names unescaped as node:test escapes them)."""
    cases = []
    for line in report.splitlines():
        if match := TAP_RESULT.match(line):
            name = re.sub(r"\\(.)", r"\1", match["name"])
            cases.append(NodeCase(name, match["outcome"] == "ok", match["directive"]))
    return cases


def problems(cases: list[NodeCase]) -> list[str]:
    """What makes a run fail, one line per case: failures, stale todo flags, skips (no case may skip)."""
    found = []
    for case in cases:
        if case.directive is None and not case.passed:
            found.append(f"failed: {case.name}")
        elif case.directive == "TODO" and case.passed:
            found.append(f"passes, so remove its todo flag: {case.name}")
        elif case.directive == "SKIP":
            found.append(f"skipped (use todo for a route still to come): {case.name}")
    if not any(case.passed and case.directive is None for case in cases):
        found.append("no Node case passed (did any run?)")
    return found


def unavailable(message: str) -> NoReturn:
    """Skip with how to install, or fail in CI, where a missing tool must not turn the build green."""
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the Node SDK test cannot run: {message}", pytrace=False)
    pytest.skip(message)


def node_version(node: str) -> str:
    """``v20.20.2``."""
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout.strip()


@dataclass(frozen=True)
class Node:
    path: str
    major: int


def find_node() -> Node:
    """The ``node`` binary, new enough, with tests/node's packages installed (else skip or fail)."""
    path = shutil.which("node")
    if path is None:
        unavailable(f"Node.js is needed for the Node SDK test; install it with: {INSTALL_NODE}, then run {NPM_CI}")
    version = node_version(path)
    major = int(version.lstrip("v").split(".")[0])
    if major < OLDEST_NODE:
        unavailable(f"Node.js {version} is too old for the Node SDK test (>= {OLDEST_NODE} is needed)")
    if not (NODE_DIR / "node_modules" / "openai" / "package.json").is_file():
        unavailable(f"the openai npm package is not installed; run: {NPM_CI}")
    return Node(path, major)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    """A server of the Node cases' own (renders in 1 s unless a case's Prefer header says otherwise)."""
    with BackgroundServer(Settings(render_seconds=1.0, seed=13)) as running:
        yield running


def test_node_sdk_cases_pass(server: BackgroundServer) -> None:
    node = find_node()
    files = sorted(path.name for path in NODE_DIR.glob("*.test.mjs"))
    run = subprocess.run(
        [node.path, "--test", "--test-reporter=tap", *files],
        cwd=NODE_DIR,
        env={**os.environ, "SORA_MOCK_URL": server.url},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
    )
    cases = parse_tap(run.stdout)
    found = problems(cases)
    assert run.returncode == 0 and not found, "\n".join(
        [f"node --test exited {run.returncode}", *found, run.stdout[-6000:], run.stderr[-2000:]]
    )
    # The cases talked to this server, through the SDK: its multipart creates passed the contract.
    creates = [
        entry
        for entry in server.service.journal.entries()
        if entry.method == "POST" and entry.path == "/v1/videos" and entry.headers.get("x-stainless-lang") == "js"
    ]
    assert any(entry.verdict == "accepted" for entry in creates), "no create from the Node SDK was accepted"
    uploads = [file for entry in creates for file in entry.files]
    assert uploads and all(file["content_type"] == "image/png" for file in uploads), uploads  # the type toFile gave


def readme_node_example() -> str:
    """The README's Node example: the first ``js`` block after its "Node (`npm install openai`" line."""
    text = README.read_text(encoding="utf-8")
    after = text.split("\nNode (`npm install openai`", 1)[1]
    match = re.search(r"```js\n(.*?)```", after, flags=re.S)
    assert match, "the README's Node example has no js block"
    return match[1]


def test_readme_node_example_runs(server: BackgroundServer, tmp_path: Path) -> None:
    """As written, saved as sora.mjs next to first-frame.png (against this server instead of port 4010)."""
    node = find_node()
    example = readme_node_example()
    assert "http://127.0.0.1:4010/v1" in example
    (tmp_path / "sora.mjs").write_text(example.replace("http://127.0.0.1:4010", server.url), encoding="utf-8")
    (tmp_path / "first-frame.png").write_bytes(images.png())
    (tmp_path / "node_modules").symlink_to(NODE_DIR / "node_modules")  # as after `npm install openai` there
    preload = ["--import", str(NODE_DIR / "file-global.mjs")] if node.major < 20 else []
    run = subprocess.run(
        [node.path, *preload, "sora.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=NODE_TIMEOUT_S
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"video_\S+ completed", run.stdout), run.stdout
    assert (tmp_path / "video.mp4").read_bytes()[4:8] == b"ftyp"


SAMPLE_TAP = """TAP version 13
# Subtest: create works
ok 1 - create works
  ---
  duration_ms: 3.2
  ...
not ok 2 - list pages \\# twice
not ok 3 - edit answers a video # TODO POST /v1/videos/edits is not served yet (issue 13)
ok 4 - extend answers a video # TODO POST /v1/videos/extensions is not served yet (issue 13)
ok 5 - cors # SKIP no reason
# tests 5
"""


def test_tap_report_is_read_case_by_case() -> None:
    cases = parse_tap(SAMPLE_TAP)
    assert [case.name for case in cases] == [
        "create works",
        "list pages # twice",
        "edit answers a video",
        "extend answers a video",
        "cors",
    ]
    assert problems(cases) == [
        "failed: list pages # twice",
        "passes, so remove its todo flag: extend answers a video",
        "skipped (use todo for a route still to come): cors",
    ]


def test_a_run_without_a_passing_case_fails() -> None:
    assert problems(parse_tap("TAP version 13\n# tests 0\n")) == ["no Node case passed (did any run?)"]
    todo_only = "not ok 1 - edit # TODO not served yet\n"
    assert problems(parse_tap(todo_only)) == ["no Node case passed (did any run?)"]


def test_missing_node_fails_in_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(INSTALL_NODE)):
        find_node()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match=re.escape(INSTALL_NODE)):
        find_node()


def test_old_node_or_missing_packages_say_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = sys.modules[__name__]
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/node")
    monkeypatch.setattr(module, "NODE_DIR", tmp_path)  # no node_modules there
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(module, "node_version", lambda node: "v16.20.0")
    with pytest.raises(pytest.fail.Exception, match=re.escape("v16.20.0 is too old")):
        find_node()
    monkeypatch.setattr(module, "node_version", lambda node: "v20.20.2")
    with pytest.raises(pytest.fail.Exception, match=re.escape(NPM_CI)):
        find_node()
    (tmp_path / "node_modules" / "openai").mkdir(parents=True)
    (tmp_path / "node_modules" / "openai" / "package.json").write_text("{}")
    assert find_node() == Node("/usr/bin/node", 20)
