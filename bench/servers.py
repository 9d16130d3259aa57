"""Starting, probing and stopping the servers under test, each on its own free loopback port.

Every server runs in a process group of its own, so stopping it also stops whatever it forked,
and nothing else on the machine is touched.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from procstat import tree_cpu_seconds

HOST = "127.0.0.1"


def free_port() -> int:
    """A port the kernel just handed out on loopback (free at least for now)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A server command template ({host}, {port}, {spec}) and, once started, its process."""

    name: str
    argv_template: list[str]
    spec: Path
    log_path: Path
    # Where to start it and what to add to its environment (bench/ab_versions.py runs a checkout's own code).
    cwd: Path | None = None
    env: dict[str, str] | None = None
    port: int = 0
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def argv(self) -> list[str]:
        values = {"host": HOST, "port": str(self.port), "spec": str(self.spec)}
        return [arg.format(**values) for arg in self.argv_template]

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} is not running"
        return self.proc.pid

    def start(self, ready_timeout_s: float = 60.0) -> None:
        """Starts on a fresh port and returns once it answers HTTP (raises if it never does)."""
        self.port = free_port()
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.cwd, env={**os.environ, **self.env} if self.env else None,
            )  # fmt: skip
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {ready_timeout_s:.0f} s; see {self.log_path}")

    def _answers(self) -> bool:
        """Any HTTP answer at all (404 and 405 included) means the server is up."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            conn.close()

    def post(self, path: str, body: bytes, content_type: str, token: str) -> tuple[int, bytes]:
        """One request, to check a body is accepted before it is sent thousands of times."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def settle(self, idle_timeout_s: float = 15.0) -> bool:
        """Waits until the server stops burning CPU (uploads left over from a cut-short run).

        Returns False when it is still busy at the deadline; the caller then restarts it, so the
        next measurement, of either server, does not share the cores with stale work.
        """
        deadline = time.monotonic() + idle_timeout_s
        before = tree_cpu_seconds(self.pid)
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = tree_cpu_seconds(self.pid)
            if now - before < 0.05:
                return True
            before = now
        return False

    def stop(self) -> None:
        """SIGTERM to the server's own process group, SIGKILL if it lingers."""
        if self.proc is None:
            return
        try:  # the group too: children may outlive their leader
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            self.proc.wait(timeout=10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
