"""Build multipart/form-data bodies byte by byte, so tests control exactly what goes on the wire.

httpx's own encoder cannot send a file field as text, repeat a field on purpose, or cut a body
short; contract tests need all of those, so requests are encoded here. The parts are the one
part model, :class:`contract_tests.core.parts.Part`, the same the reader gives back.
"""

from __future__ import annotations

from collections.abc import Sequence

from contract_tests.core.parts import Part


def encode_part(part: Part) -> bytes:
    """A part's header lines (:attr:`Part.wire_headers`, verbatim), a blank line and its data."""
    head = "\r\n".join(f"{key}: {value}" for key, value in part.wire_headers.items())
    return head.encode("utf-8") + b"\r\n\r\n" + part.data


def encode_multipart(parts: Sequence[Part], boundary: str) -> bytes:
    """The body for ``Content-Type: multipart/form-data; boundary=<boundary>``."""
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = [delimiter + b"\r\n" + encode_part(part) + b"\r\n" for part in parts]
    return b"".join(chunks) + delimiter + b"--\r\n"


def content_type(boundary: str) -> str:
    return f"multipart/form-data; boundary={boundary}"
