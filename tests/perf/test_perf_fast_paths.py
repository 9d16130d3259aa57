"""The hot path's shortcuts (issue 12) give exactly what the general code gives."""

from __future__ import annotations

import json
import os
import random
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests.core import engine, http, media_type
from contract_tests.core.checker import Verdict
from contract_tests.core.controls import Decision
from contract_tests.core.engine import _uuid4_text
from contract_tests.core.service import VideoService
from contract_tests.core.specs import load_registry


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


def test_video_ids_set_the_version_and_variant_bits_as_uuid_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every byte value in the version and variant positions: the text is ``uuid.UUID(version=4)``'s."""
    for value in range(256):
        bits = int.from_bytes(bytes([value]) * 16, "big")
        monkeypatch.setattr(engine._IDS, "getrandbits", lambda k, bits=bits: bits)
        assert _uuid4_text() == str(uuid.UUID(int=bits, version=4))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_a_forked_worker_makes_other_ids_than_its_parent() -> None:
    """The ids' generator is reseeded in a forked child: two workers never share a sequence."""
    _uuid4_text()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, then out without running the parent's cleanup
        try:
            os.write(write_end, " ".join(_uuid4_text() for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        child = pipe.read().decode().split()
    os.waitpid(pid, 0)
    parent = [_uuid4_text() for _ in range(3)]
    assert len(child) == 3 and not set(child) & set(parent)


def test_video_ids_do_not_follow_the_global_random() -> None:
    """Hypothesis seeds the global ``random`` before every example, and user code may: ids still
    differ, and making them leaves the user's sequence where it was."""
    random.seed(0)
    first = _uuid4_text()
    expected = random.random()
    random.seed(0)
    second = _uuid4_text()
    assert first != second
    assert random.random() == expected


@settings(max_examples=5, database=None)
@given(st.integers())
def test_video_ids_differ_between_hypothesis_examples(_: int) -> None:
    _SEEN_IDS.append(engine.VideoEngine().new_id())
    assert len(set(_SEEN_IDS)) == len(_SEEN_IDS)


_SEEN_IDS: list[str] = []


def test_the_size_cache_answers_what_the_regex_answers() -> None:
    texts = ["16x9", "9:16", " 1280 x 720 ", "1x1", "0x5", "abc", "", "1792*1024", "7" * 24, "7" * 25, "33x2"]
    for text in texts:
        for default in (engine.DEFAULT_SIZE, engine.LANDSCAPE_SIZE):
            assert engine.normalize_size(text, default) == engine._normalized(text, default)
    before = engine._normalized_text.cache_info().currsize
    engine.normalize_size("1" * 10_000 + "x1")  # long text is read, not remembered
    assert engine._normalized_text.cache_info().currsize == before


def test_a_created_video_is_answered_with_its_payload_and_the_poll_hint() -> None:
    service = VideoService(load_registry(), "jxincm")
    verdict = Verdict((), None, {"prompt": "一只猫\n\"走过\"", "size": "9:16", "seconds": 8, "model": ""}, {})
    answer = service._create(verdict, Decision())
    assert answer.body == json.dumps(answer.data, ensure_ascii=False).encode()
    assert answer.headers == {"content-type": "application/json", "openai-poll-after-ms": "3000"}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, database=None, deadline=None)
@given(payload=_JSON)
def test_the_reused_json_encoder_writes_what_json_dumps_writes(payload: object) -> None:
    """Every answer is encoded by one reused C encoder: byte for byte ``json.dumps(ensure_ascii=False)``."""
    assert http._ENCODE(payload) == json.dumps(payload, ensure_ascii=False)


def test_the_reused_json_encoder_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        http._ENCODE({"a": object()})


@pytest.mark.parametrize(
    "constructor",
    [None, lambda *args: (_ for _ in ()).throw(TypeError("takes other arguments")), lambda *args: lambda o, i: ["{}"]],
)
def test_the_json_encoder_falls_back_to_json_when_its_c_constructor_is_missing_or_changed(
    monkeypatch: pytest.MonkeyPatch, constructor: object
) -> None:
    monkeypatch.setattr(http, "c_make_encoder", constructor)
    assert http._json_encoder()({"a": [1, "让"]}) == json.dumps({"a": [1, "让"]}, ensure_ascii=False)
