"""Run sora-mock in a background thread of the current process, on a free loopback port.

For test suites (ours and a frontend's Python tests): a real uvicorn server on a real socket,
started and stopped in well under a second, with the app's service at hand for inspection.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from contract_tests.core.service import VideoService
from mockserver.app import create_app
from mockserver.settings import Settings


class BackgroundServer:
    """``with BackgroundServer(Settings(render_seconds=1)) as server: server.url``."""

    def __init__(self, settings: Settings | None = None, host: str = "127.0.0.1") -> None:
        self.settings = settings or Settings()
        self.app = create_app(self.settings)
        self.service: VideoService = self.app.state.service
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("sora-mock did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
