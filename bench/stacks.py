"""Sampled stacks (py-spy's ``--format raw``) sorted into the parts of a sora-mock request.

Each sample is charged to one part: the innermost frame that belongs to a known part wins, so
``json.dumps`` called by the journal counts as JSON encoding, and ``uuid4`` called by the engine
(the standard library has no part of its own) counts as the engine. A sample with no Python
frame at all is a granian runtime thread doing Rust work (HTTP parsing, socket I/O, handing
requests to Python). Besides that "self" share, each part's inclusive share counts the samples
in which it appears anywhere on the stack (a caller's inclusive share contains its callees').

One case is told apart by its source line: a sample whose innermost frame stands on an
``await receive()`` or ``await send(...)`` is inside the ASGI server's own (native) receive or
send, not in the Python code that called it, so it is charged to "ASGI receive/send".
"""

from __future__ import annotations

import linecache
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

NO_PYTHON = "no Python frame (granian's Rust threads)"
ASGI_CALL = "ASGI receive/send (granian's native calls)"
OTHER = "other"
_ASGI_CALL_RE = re.compile(r"\bawait\s+(receive|send)\(")

# (part, file-path fragments), tried in order on each frame; the first part that matches a frame
# claims it. The more specific libraries come first (JSON before the journal that calls it).
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("JSON encoding", ("json/encoder.py", "json/__init__.py", "json/decoder.py")),
    (
        "schema validation",
        ("jsonschema/", "jsonschema_path/", "openapi_schema_validator/", "openapi_core/", "referencing/"),
    ),
    ("wire reader (multipart)", ("contract_tests/core/wire.py", "contract_tests/core/parts.py", "python_multipart/",
                                 "multipart/")),
    ("checker", ("contract_tests/core/checker.py", "contract_tests/core/conformance.py")),
    ("spec registry", ("contract_tests/core/specs.py",)),
    ("engine", ("contract_tests/core/engine.py", "contract_tests/core/stores.py")),
    ("journal", ("contract_tests/core/journal.py",)),
    ("redaction (the journal's secret check)", ("contract_tests/core/redaction.py",)),
    ("service (and the rest of contract_tests)", ("contract_tests/",)),
    ("door", ("mockserver/door.py",)),
    ("app.py / Starlette (and the rest of mockserver)", ("mockserver/", "starlette/")),
    ("granian / ASGI plumbing (Python side)", ("granian/", "asyncio/", "uvloop/", "multiprocessing/")),
    ("bench's fake ASGI server (in-process runs)", ("bench/inprocess.py",)),
]
ORDER = [name for name, _ in PARTS] + [ASGI_CALL, NO_PYTHON, OTHER]
_FILE_RE = re.compile(r"\((.+?):(\d+)\)\s*$")


def frame_file(frame: str) -> str:
    """'Journal.record (contract_tests/core/journal.py:173)' -> 'contract_tests/core/journal.py'."""
    match = _FILE_RE.search(frame)
    return match.group(1) if match else frame


_PREFIX_RE = re.compile(r"\((?:[^()]*/(?:site-packages|lib/python3\.\d+)/)")


def short(frame: str, root: str = "") -> str:
    """A frame with its file path cut to what identifies it: the package path, or the repository's."""
    if root:
        frame = frame.replace(f"({root.rstrip('/')}/", "(")
    return _PREFIX_RE.sub("(", frame)


def source_line(frame: str) -> str:
    """The line a frame stands on, read from its file (py-spy's ``--full-filenames`` paths)."""
    match = _FILE_RE.search(frame)
    return linecache.getline(match.group(1), int(match.group(2))) if match else ""


def is_asgi_call(frame: str, line_of: Callable[[str], str] = source_line) -> bool:
    return bool(_ASGI_CALL_RE.search(line_of(frame)))


def part_of(frame: str) -> str | None:
    path = frame_file(frame)
    for name, fragments in PARTS:
        if any(fragment in path for fragment in fragments):
            return name
    return None


def parse_raw(text: str) -> list[tuple[list[str], int]]:
    """py-spy raw lines ('root;...;leaf COUNT') -> (frames root first, count). Frames py-spy
    adds for the process or thread (``--subprocesses``, ``--threads``) are dropped."""
    samples = []
    for line in text.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        samples.append((frames, int(count)))
    return samples


@dataclass
class Breakdown:
    """Sample counts per part: self (innermost known frame) and inclusive (anywhere)."""

    total: int = 0
    self_samples: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    top_frames: Counter[str] = field(default_factory=Counter)  # innermost frames, for hot spots
    line_of: Callable[[str], str] = source_line

    def add(self, frames: list[str], count: int) -> None:
        self.total += count
        if not frames:
            self.self_samples[NO_PYTHON] += count
            self.inclusive[NO_PYTHON] += count
            return
        parts = [part_of(frame) for frame in frames]
        if is_asgi_call(frames[-1], self.line_of):
            parts.append(ASGI_CALL)
        owner = next((p for p in reversed(parts) if p is not None), OTHER)
        self.self_samples[owner] += count
        for name in {p for p in parts if p is not None} | {owner}:
            self.inclusive[name] += count
        self.top_frames[frames[-1]] += count

    def share(self, name: str, inclusive: bool = False) -> float:
        counts = self.inclusive if inclusive else self.self_samples
        return counts[name] / self.total if self.total else 0.0


def breakdown(text: str, line_of: Callable[[str], str] = source_line) -> Breakdown:
    result = Breakdown(line_of=line_of)
    for frames, count in parse_raw(text):
        result.add(frames, count)
    return result
