"""``Redactor.finds_in``'s quick test on plain data (``marshal`` bytes, needles without a regex)
answers exactly what the full walk of every string answers: it only decides faster that there is
nothing to hide. The walk is the reference; a miss here is a secret kept in a journal entry."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from contract_tests.core.redaction import MASK, Redactor, _has_credentials, _utf8, texts_in

# Text a credential rule or a known value could match, beside what makes the quick test hard:
# characters that case-fold to 'k', 's' or 'i' (the query rule is case-insensitive in Unicode),
# characters JSON or repr would escape, lone surrogates, wide text, and masks already written.
PIECES = [
    "sk-", "sk-abcdefgh12", "Sk-abcdefgh12", "xsk-abcdefgh12", "bearer", "BEARER ", "Bearer\t",
    "bearer\u3000", "abcdefghijklmnop0123", f"Bearer {MASK}", "?", "&", ";", "=", "api_key", "API-KEY",
    "\u212aey", "to\u212aen", "ſecret", "pasſword", "client_ſecret", "auth", "token", "?key=v", "://",
    "u:p@", "http://user:pw@host", "\n", '"', "\\", "'", "\ud800", "让牛快乐的", "boundary", "-", "x",
    "canary-token-77", "CANARY-TOKEN-77", "\x00",
]
text = st.lists(st.sampled_from(PIECES), max_size=8).map("".join) | st.text(max_size=12)
leaves = text | st.binary(max_size=12) | st.integers() | st.floats(allow_nan=False) | st.none() | st.booleans()
plain = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(text, inner, max_size=4)
    | st.lists(inner, max_size=3).map(tuple),
    max_leaves=16,
)
KNOWN = ["canary-token-77", "Bearer canary-token-77", "sk-known-value-1", "让牛快乐的跳"]


def walked(redactor: Redactor, obj: Any) -> bool:
    """The reference: every string the scrub would look at, searched one by one."""
    strings = texts_in(obj).split("\x00")
    return any(value in s for s in strings for value in redactor._values) or any(
        _has_credentials(s) for s in strings
    )


def joined(redactor: Redactor, obj: Any) -> bool:
    """The full test: the strings joined with NUL and searched once. A pattern may match across two
    of them (``"://"`` then ``"u:p@"``), a false alarm that only costs a scrub changing nothing."""
    text = texts_in(obj)
    return any(value in text for value in redactor._values) or _has_credentials(text)


@settings(max_examples=600, database=None, deadline=None)
@given(obj=plain, known=st.lists(st.sampled_from(KNOWN), max_size=2))
@example(obj={"://": "u:p@"}, known=[])  # a match across two strings: a false alarm, never a miss
def test_the_quick_test_answers_what_the_full_test_answers(obj: Any, known: list[str]) -> None:
    redactor = Redactor(known)
    found = redactor.finds_in(obj)
    assert found == joined(redactor, obj)
    assert found or not walked(redactor, obj)  # never a miss: a string with something to hide is seen


def test_a_key_after_a_character_that_case_folds_to_k_is_found() -> None:
    """``?\u212aey=`` is ``?key=`` to the case-insensitive rule: the needle "ey=" stays after it."""
    entry = {"query": "", "response": {"url": "https://x/y?\u212aey=canaryvalue"}}
    assert Redactor().finds_in(entry)
    assert "canaryvalue" not in repr(Redactor().scrub_object(entry))


def test_data_marshal_refuses_is_walked_instead() -> None:
    """A subclass (or any object marshal refuses) still gets the full walk, not a pass."""

    class Text(str):
        pass

    assert Redactor(["canary-token-77"]).finds_in({"a": [Text("x canary-token-77")]})
    assert Redactor().finds_in({"a": [Text("sk-abcdefgh12")]})


def test_a_known_value_is_found_through_the_values_that_contain_it() -> None:
    """Only the shortest known values are searched: one inside another is found all the same."""
    redactor = Redactor(["Bearer canary-token-77", "canary-token-77"])
    assert redactor.finds_in({"prompt": "canary-token-77"})
    assert redactor.finds_in({"h": "Bearer canary-token-77"})
    assert not redactor.finds_in({"h": f"Bearer {MASK}", "n": 5})
    assert _utf8("canary-token-77") in redactor._shortest and len(redactor._shortest) == 1


@pytest.mark.parametrize(
    "value",
    [
        "x sk-abcdefgh12",  # an OpenAI-style key
        "BeArEr\u3000abcdefghijklmnop0123",  # a long bearer credential after Unicode whitespace
        "see https://x/y?API_KEY=abc",  # a secret query parameter
        "?to\u212aen=abc",  # ... whose key holds a Kelvin sign, 'k' to the case-insensitive rule
        "?client_ſecret=abc",  # ... or a long s
        "postgres://user:pw@host/db",  # a URL's password
    ],
)
def test_each_credential_rule_gets_past_the_quick_test(value: str) -> None:
    entry = {"headers": {"authorization": f"Bearer {MASK}"}, "fields": {"prompt": value}, "status": 200}
    assert Redactor().finds_in(entry)
    assert Redactor().scrub_object(entry) != entry


def test_a_known_value_with_a_replacement_character_is_found_in_bytes_that_decode_to_it() -> None:
    """The walk decodes bytes with U+FFFD for what is not UTF-8; such a value skips the quick look."""
    assert Redactor(["\ufffdsecretvalue"]).finds_in({"b": b"\xffsecretvalue"})
