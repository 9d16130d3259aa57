"""The redaction rules: what is a secret, how it is masked, and which ordinary text is left alone."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.core.journal import Journal
from contract_tests.core.redaction import (
    MASK,
    Redactor,
    redact_header,
    redact_query,
    request_secrets,
)


@pytest.mark.parametrize(
    ("name", "value", "masked"),
    [
        ("Authorization", "Bearer sk-1", f"Bearer {MASK}"),
        ("authorization", "Basic dXNlcjpwYXNz", f"Basic {MASK}"),
        ("Authorization", "rawtokenwithoutscheme", MASK),
        ("Authorization", "'odd scheme' x", MASK),  # not a scheme: nothing of it is kept
        ("PROXY-AUTHORIZATION", "Bearer abc", f"Bearer {MASK}"),
        ("X-Api-Key", "sk-1", MASK),
        ("x_api_key", "plain", MASK),
        ("Api-Key", "Bearer looks-like-a-scheme", f"Bearer {MASK}"),
        ("Cookie", "session=abc123; theme=dark", f"session={MASK}; theme={MASK}"),
        ("Set-Cookie", "sid=xyz; Path=/; HttpOnly", f"sid={MASK}; Path={MASK}; {MASK}"),
        ("Content-Type", "text/plain; charset=utf-8", "text/plain; charset=utf-8"),
    ],
)
def test_secret_headers_are_masked_keeping_only_scheme_or_cookie_names(name: str, value: str, masked: str) -> None:
    assert redact_header(name, value) == masked


def test_secret_query_parameters_are_masked_case_insensitively() -> None:
    query = "limit=2&API_KEY=a1&Token=b2&access-token=c3&key=d4&order=asc"
    assert redact_query(query) == f"limit=2&API_KEY={MASK}&Token={MASK}&access-token={MASK}&key={MASK}&order=asc"
    assert redact_query("limit=2&after=video_1") == "limit=2&after=video_1"


def test_a_requests_own_secret_values_are_collected_for_scrubbing_elsewhere() -> None:
    headers = {"Authorization": "Bearer tok-123456", "Cookie": "a=cookie-1; b=cookie-2", "Accept": "x"}
    found = request_secrets(headers, "api_key=query-secret&limit=2")
    assert {"Bearer tok-123456", "tok-123456", "cookie-1", "cookie-2", "query-secret"} <= set(found)
    assert "x" not in found and "2" not in found


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("invalid key sk-proj-abcDEF123456", f"invalid key {MASK}"),
        ('{"message": "Bad key: sk-abcdefgh12"}', f'{{"message": "Bad key: {MASK}"}}'),
        ("auth: bearer abcdefghijklmnopqrstuvwx==", f"auth: bearer {MASK}"),
        ("GET https://h/v1/videos?limit=2&api_key=abc123&x=1", f"GET https://h/v1/videos?limit=2&api_key={MASK}&x=1"),
        ("see http://user:hunter2@host/path", f"see http://user:{MASK}@host/path"),
    ],
)
def test_credential_shaped_text_is_masked_without_knowing_the_value(text: str, scrubbed: str) -> None:
    assert Redactor().scrub(text) == scrubbed
    assert Redactor().scrub(scrubbed) == scrubbed  # masking is idempotent


@pytest.mark.parametrize(
    "text",
    [
        "task-management and desk-lamp-with-long-name",  # "sk-" inside a word
        "Send it as 'Authorization: Bearer YOUR_KEY'.",  # the checker's own help text
        "multipart/form-data; boundary=soraexampleboundary0001",
        "https://api.example.com/v1/videos?limit=20&order=desc",
        "a calico cat playing a piano, 4 seconds, 720x1280",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert Redactor().scrub(text) == text


def test_known_values_are_scrubbed_longest_first_and_short_ones_ignored() -> None:
    redactor = Redactor(["plain-secret-value", "plain-secret-value-longer", "abc"])
    assert redactor.scrub("x plain-secret-value-longer y plain-secret-value abc") == f"x {MASK} y {MASK} abc"


def test_scrub_object_copies_what_it_changes_and_never_changes_its_input() -> None:
    stored: dict[str, Any] = {"id": "video_1", "echo": ["keep", "token known-secret-1"], "n": 3}
    scrubbed = Redactor(["known-secret-1"]).scrub_object(stored)
    assert scrubbed == {"id": "video_1", "echo": ["keep", f"token {MASK}"], "n": 3}
    assert stored["echo"][1] == "token known-secret-1"  # the caller's object (a stored video) is intact
    clean = {"a": ["b"]}
    assert Redactor(["known-secret-1"]).scrub_object(clean) is clean


def test_the_journal_scrubs_a_requests_own_token_from_every_other_field() -> None:
    """A malformed Authorization comes back in the checker's error message; the entry keeps neither."""
    journal = Journal()
    entry = journal.record(
        method="POST", path="/v1/videos", query="", headers={"Authorization": "raw-canary-token-42"},
        verdict="-", problems=[{"message": "The Authorization header uses the 'raw-canary-token-42' scheme"}],
        fields={}, files=[], status=401,
        response={"error": {"message": "The Authorization header uses the 'raw-canary-token-42' scheme"}},
        duration_ms=0.0,
    )
    assert "raw-canary-token-42" not in repr(entry.as_dict())
    assert entry.response["error"]["message"] == f"The Authorization header uses the '{MASK}' scheme"
    assert entry.headers == {"Authorization": MASK}


@pytest.mark.parametrize(
    "prompt",
    [
        "line one\nsk-canaryafternewline42",  # a key after an escaped character (JSON: "\nsk-...")
        "Bearer\tcanarytabseparated0123456789",  # a bearer credential after a tab (JSON: "Bearer\t...")
        'quoted "sk-canaryafterquote77"',
        # Wide (non-ASCII) text: the quick test searches UTF-8 bytes, lower-cased the ASCII way.
        "让牛快乐的跳科目三 BeArEr\u3000canaryideographicspace0123",  # Unicode whitespace, mixed case
        "科目三\u212aey sk-canaryafterkelvinsign99",  # a character that lower-cases to ASCII 'k'
        "跳科目三\ud800 sk-canaryafteraloneSurrogate",  # a lone surrogate, as JSON may decode one
    ],
)
def test_the_journal_masks_a_credential_next_to_a_character_json_escapes(prompt: str) -> None:
    """The journal's cheap "anything to hide?" test looks at the strings themselves: searching
    their JSON encoding missed a key right after a newline or a tab, and the entry kept it."""
    entry = Journal().record(
        method="POST", path="/v1/videos", query="", headers={}, verdict="accepted", problems=[],
        fields={"prompt": prompt}, files=[], status=200, response={"prompt": prompt}, duration_ms=0.0,
    )
    assert "canary" not in repr(entry.as_dict())
    assert MASK in entry.fields["prompt"] and MASK in entry.response["prompt"]


def test_the_journal_finds_a_known_token_inside_wide_text() -> None:
    """A request's own token quoted in a CJK prompt is scrubbed (found in the bytes, not missed)."""
    token = "canary-token-in-wide-text-7"
    entry = Journal().record(
        method="POST", path="/v1/videos", query="", headers={"Authorization": f"Bearer {token}"},
        verdict="accepted", problems=[], fields={"prompt": f"让牛快乐的{token}跳"}, files=[], status=200,
        response={"prompt": f"让牛快乐的{token}跳"}, duration_ms=0.0,
    )
    assert token not in repr(entry.as_dict())
    assert entry.fields["prompt"] == f"让牛快乐的{MASK}跳"


def test_a_requests_secrets_get_one_redactor_per_set_and_the_cache_stays_bounded() -> None:
    """A client sends the same token on every request: its redactor is made once. Past 64 sets a
    new set still scrubs (a redactor of its own), and the ones kept are still the ones used."""
    base = Redactor()
    first = base.with_values(("token-number-0",))
    for i in range(1, 80):
        base.with_values((f"token-number-{i}",))
    assert len(base._known) == 64
    assert base.with_values(("token-number-0",)) is first
    late = base.with_values(("token-number-79",))
    assert late.scrub("x token-number-79 y") == f"x {MASK} y"
