"""Build multipart/form-data bodies byte by byte, so tests control exactly what goes on the wire.

httpx's own encoder cannot send a file field as text, repeat a field on purpose, or cut a body
short; contract tests need all of those, so requests are encoded here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormPart:
    """One part to send. A ``filename`` makes it a file part; ``raw_headers`` replaces the headers."""

    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None
    raw_headers: bytes | None = None

    @property
    def is_file(self) -> bool:
        return self.filename is not None

    @property
    def text(self) -> str:
        return self.value.decode("utf-8", errors="replace")


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")


def encode_part(part: FormPart) -> bytes:
    if part.raw_headers is not None:
        return part.raw_headers + b"\r\n\r\n" + part.value
    disposition = f'Content-Disposition: form-data; name="{_quote(part.name)}"'
    if part.filename is not None:
        disposition += f'; filename="{_quote(part.filename)}"'
    lines = [disposition]
    if part.content_type:
        lines.append(f"Content-Type: {part.content_type}")
    return "\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + part.value


def encode_multipart(parts: tuple[FormPart, ...] | list[FormPart], boundary: str) -> bytes:
    """The body for ``Content-Type: multipart/form-data; boundary=<boundary>``."""
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = [delimiter + b"\r\n" + encode_part(part) + b"\r\n" for part in parts]
    return b"".join(chunks) + delimiter + b"--\r\n"


def content_type(boundary: str) -> str:
    return f"multipart/form-data; boundary={boundary}"
