"""Resident memory and CPU time of a process tree, read from /proc.

A server may fork workers (uvicorn --workers, node child processes), so every figure is the sum
over the root process and all its descendants; one sampler thread keeps the peak while a load
runs, because the peak, not the value after the run, is what a memory target is about.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may itself hold spaces)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def tree_pids(root: int) -> list[int]:
    """The root and every live descendant, found by walking parent links over all of /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_rss_bytes(root: int) -> int:
    """Sum of resident set sizes over the tree (shared pages count once per process)."""
    total = 0
    for pid in tree_pids(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_cpu_seconds(root: int) -> float:
    """User plus system CPU time of the live tree, to tell whether a server saturated a core."""
    ticks = 0
    for pid in tree_pids(root):
        fields = _stat_fields(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


class PeakRss:
    """Samples a tree's RSS on a background thread between start() and stop()."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        self.root = root
        self.interval = interval
        self.peak = 0
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_bytes(self.root))
            if self._halt.wait(self.interval):
                return

    def start(self) -> PeakRss:
        self._thread.start()
        return self

    def stop(self) -> int:
        """Stops sampling and returns the peak in bytes (one last sample included)."""
        self._halt.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_bytes(self.root))
        return self.peak
