"""The requests both benchmarks send: valid multipart bodies for one OpenAPI document.

Shared by compare_servers.py and checker_vs_openapi_core.py so the servers and the in-process
checkers are measured on byte-identical requests. The fields come from the document itself
(its multipart schema and examples), so `--spec` can point at any of the seed documents.
"""

from __future__ import annotations

import random
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BOUNDARY = "----soraBench7MA4YWxkTrZu0gW"
TOKEN = "bench-token"
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int:
    """'1KB' -> 1024, '1MB' -> 1048576 (binary units: what 'a 1 MB image' means in the issue)."""
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 1KB, 100KB, 1MB, 10MB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def size_label(n: int) -> str:
    """Inverse of parse_size for table labels: 1048576 -> '1MB'."""
    for unit in ("G", "M", "K"):
        if n >= _UNITS[unit] and n % _UNITS[unit] == 0:
            return f"{n // _UNITS[unit]}{unit}B"
    return f"{n}B"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png(size: int, seed: int = 6) -> bytes:
    """A decodable RGB PNG of exactly `size` bytes.

    The pixels are random and stored uncompressed (zlib level 0) so the file is as large as a
    photo of that size and cannot be shrunk by any layer on the way; a tEXt chunk pads to the
    exact byte count. A real image, not just a PNG signature, in case a server decodes it.
    """
    fixed = 8 + 25 + 12 + 12  # signature, IHDR, IDAT framing, IEND
    pad_min = 12 + 8  # a tEXt chunk with the keyword "Comment\0"
    width = 256 if size >= 64 * 1024 else 16
    row = 1 + 3 * width
    budget = size - fixed - pad_min - 11  # zlib header + adler32 + the last stored block header
    budget -= 5 * (budget // 65535 + 1)  # stored-block headers
    height = max(1, budget // row)
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + rng.randbytes(3 * width) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 0))
    pad = size - len(body) - 12
    if pad < pad_min:
        raise ValueError(f"image size {size} too small for a PNG (minimum about 1KB)")
    body += _chunk(b"tEXt", b"Comment\x00" + b"x" * (pad - 12 - 8))
    return body + _chunk(b"IEND", b"")


@dataclass(frozen=True)
class Operation:
    """The multipart POST operation of one document, as far as a client needs it."""

    server_url: str
    path: str
    text_fields: dict[str, str]
    file_fields: list[str]


def load_spec(path: Path) -> dict[str, Any]:
    """The document as a dict (also what openapi-core's OpenAPI.from_dict takes)."""
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def find_operation(spec: dict[str, Any]) -> Operation:
    """The first POST taking multipart/form-data, with a value for every field it declares.

    Text fields get the document's own example (so the request is valid by construction),
    binary fields become file parts.
    """
    for path, item in spec.get("paths", {}).items():
        post = (item or {}).get("post") or {}
        content = post.get("requestBody", {}).get("content", {})
        schema = content.get("multipart/form-data", {}).get("schema")
        if not schema:
            continue
        text: dict[str, str] = {}
        files: list[str] = []
        for name, prop in schema.get("properties", {}).items():
            if prop.get("format") == "binary":
                files.append(name)
            else:
                text[name] = str(prop.get("example", prop.get("default", "x")))
        server = (spec.get("servers") or [{"url": "http://localhost"}])[0]["url"].rstrip("/")
        return Operation(server_url=server, path=path, text_fields=text, file_fields=files)
    raise ValueError("the document has no POST operation taking multipart/form-data")


def multipart_body(op: Operation, image: bytes) -> bytes:
    """The form as bytes, every file part with a filename and Content-Type.

    Prism's process dies on a file part without a Content-Type header, so it is never left out.
    """
    dash = f"--{BOUNDARY}\r\n".encode()
    parts: list[bytes] = []
    for name, value in op.text_fields.items():
        parts += [dash, f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode(), value.encode()]
        parts.append(b"\r\n")
    for name in op.file_fields:
        head = f'Content-Disposition: form-data; name="{name}"; filename="bench.png"\r\n'
        parts += [dash, head.encode(), b"Content-Type: image/png\r\n\r\n", image, b"\r\n"]
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def content_type() -> str:
    """The Content-Type header that goes with multipart_body."""
    return f"multipart/form-data; boundary={BOUNDARY}"
