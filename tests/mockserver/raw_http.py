"""Raw HTTP/1.1 over a loopback socket, for inputs no HTTP client would send.

"No answer" is never a pass here: :func:`answer` fails the test when the server closes the
connection without a status line. Nothing waits on a clock to decide: a request is sent whole
with ``Connection: close`` (or the client half-closes), and the reply is read until the server
closes; the socket timeout only bounds a server that never does.
"""

from __future__ import annotations

import socket

READ_LIMIT = 1 << 20


def exchange(host: str, port: int, data: bytes, half_close: bool = False, timeout: float = 10.0) -> bytes:
    """Send ``data`` and read until the server closes; what arrived before a reset counts.

    ``half_close`` ends the input with a FIN: for bytes that are not a whole request. A whole
    request (see :func:`request`) is not half-closed, as uvicorn drops the answer to a client
    that half-closed before the application answered.
    """
    received = bytearray()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it answered and closed (even reset) before taking it all: the answer is still to be read
        try:
            while len(received) < READ_LIMIT:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except ConnectionResetError:
            pass  # a server may reset after answering (unread input); the answer, if any, is in `received`
    return bytes(received)


def answer(reply: bytes, what: object = "") -> tuple[int, bytes]:
    """Status and body of a reply; fails when the server hung up without one."""
    assert reply.startswith(b"HTTP/1.1 ") and reply[9:12].isdigit(), f"no HTTP answer ({what}): {reply[:80]!r}"
    _, _, body = reply.partition(b"\r\n\r\n")
    return int(reply[9:12]), body


def request(method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    """A whole request, framed by Content-Length, asking the server to close after answering."""
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
