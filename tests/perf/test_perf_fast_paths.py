"""The hot path's shortcuts (issue 12) give exactly what the general code gives."""

from __future__ import annotations

import random
import uuid

from contract_tests.core import media_type
from contract_tests.core.engine import _uuid4_text


def _scanned(header: str) -> media_type.MediaType:
    """parse_media_type without its one-parameter shortcut: the scanner on every header."""
    essence, _, rest = header.partition(";")
    return media_type.scanned_media_type(essence, rest)


def test_the_one_parameter_shortcut_reads_a_content_type_as_the_scanner_does() -> None:
    rng = random.Random(12)
    alphabet = list(' \t;="aB-_,.x9\\')
    headers = ["multipart/form-data; boundary=abc", "Multipart/Form-Data;BOUNDARY = x ;", "text/plain; a=b; c=d"]
    headers += ["multipart/form-data" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
                for _ in range(20_000)]
    assert [media_type.parse_media_type(h) for h in headers] == [_scanned(h) for h in headers]


def test_video_ids_are_version_4_uuids_in_their_usual_text() -> None:
    texts = {_uuid4_text() for _ in range(2000)}
    assert len(texts) == 2000
    for text in texts:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text
