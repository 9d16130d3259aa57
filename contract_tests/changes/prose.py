"""Constraints the documents state in prose instead of in the schema.

The chainhub document lists ``size``'s allowed values in a description ("allowed values: 720x1280,
1280x720, ...") rather than in an ``enum``. Both ``lint`` (is the example allowed?) and ``diff``
(did a documented value disappear?) read those lists through this one parser.
"""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"(?:(?:allowed|accepted|acceptable|possible|valid|supported)\s+values?|one\s+of|可选值|取值范围)"
    r"\s*(?:are|is|include|:|：|为|是)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_END = re.compile(r"[)）;；\n]|\.(?:\s|$)|。")
_SPLIT = re.compile(r"\s*(?:,|，|、|\||/|\bor\b|\band\b)\s*")
_QUOTES = "`'\"“”‘’ "


def allowed_values(description: object) -> list[str] | None:
    """The values a description says are allowed, in order; ``None`` when it states no such list."""
    if not isinstance(description, str):
        return None
    lead = _LEAD.search(description)
    if lead is None:
        return None
    rest = description[lead.end():]
    end = _END.search(rest)
    listed = rest[: end.start()] if end else rest
    values = [v.strip(_QUOTES) for v in _SPLIT.split(listed)]
    values = [v for v in values if v and len(v) <= 64]
    return values or None
