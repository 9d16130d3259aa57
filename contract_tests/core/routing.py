"""The router: a request is resolved once, from data, into the :class:`Route` every later step receives.

What the mock serves is described by documents, not code: the relays' documents (``specs/``, the
create call) and ``family.yaml`` beside this module, the OpenAI Videos family the project writes
(retrieve, list, delete, content, remix, edits,
extensions, characters). A door asks :meth:`Router.resolve` once; the route says
which operation(s) answer, under which server and documents, whether a bearer token is needed,
whether the body is streamed (a documented multipart body) and whether the call starts a video.
No path is written anywhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from contract_tests.core.problems import Problem, method_not_allowed, unknown_url
from contract_tests.core.specs import Document, Operation, SpecRegistry, load_document

if TYPE_CHECKING:
    from contract_tests.core.http import RawRequest

FAMILY_PATH = Path(__file__).with_name("family.yaml")
FAMILY_ID = "openai-videos"


@functools.lru_cache(maxsize=1)
def family_document() -> Document:
    """The OpenAI Videos family document, loaded and checked once per process."""
    return load_document(FAMILY_PATH, FAMILY_ID)


def family_url(base_url: str, operation_id: str, **params: str) -> str:
    """The URL of a family operation (``RetrieveVideo``, ...) on ``base_url``, its path parameters
    filled in and escaped: a client (live mode) takes its paths from the same data the mock serves."""
    op = next((op for op in family_document().operations if op.operation_id == operation_id), None)
    if op is None:
        raise KeyError(f"the family document has no operation {operation_id!r}")
    path = op.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return base_url.rstrip("/") + path


@dataclass(frozen=True)
class Route:
    """Where one request goes. ``problem`` is set when no operation answers (404, 405)."""

    method: str
    path: str
    server: str | None
    operations: tuple[Operation, ...] = ()
    problem: Problem | None = None
    # A relay's documented operation: its body is checked by contract (one operation per document).
    documented: bool = False
    needs_bearer: bool = True
    streamed: bool = False
    creates: bool = False
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def operation(self) -> Operation | None:
        return self.operations[0] if self.operations else None

    @property
    def operation_id(self) -> str | None:
        return self.operations[0].operation_id if self.operations else None


@dataclass(frozen=True)
class _Table:
    """One server's routing data, computed once: its documents' operations and the family's."""

    server: str | None
    relay_operations: tuple[Operation, ...]
    family_operations: tuple[Operation, ...]
    needs_bearer: bool


class Router:
    """Resolves ``(method, path, host)`` against a registry's documents and the family document."""

    def __init__(self, registry: SpecRegistry, server: str | None = None, family: Document | None = None) -> None:
        self.registry = registry
        self.server = server
        self.family = family or family_document()
        self._tables: dict[tuple[str | None, str], _Table] = {}
        # A documented call's route depends on nothing else: made once (a create is most traffic).
        self._relay_routes: dict[tuple[str, str, str | None, str], Route] = {}
        # The first segment of every path served ("/v1/"), so the app can send the API straight to its door.
        templates = [op.path for doc in (*registry, self.family) for op in doc.operations]
        self.prefixes = tuple(sorted({"/" + t.strip("/").split("/", 1)[0] + "/" for t in templates}))

    def _documents(self, server: str | None, host: str) -> tuple[str | None, tuple[Document, ...]]:
        if server is not None:
            return server, self.registry.server(server).documents
        found = self.registry.server_for_host(host)
        return (found.id, found.documents) if found else (None, tuple(self.registry))

    def _table(self, server: str | None, host: str) -> _Table:
        key = (server, "" if server is not None else host)
        table = self._tables.get(key)
        if table is None:
            server_id, documents = self._documents(server, host)
            relay = tuple(op for doc in documents for op in doc.operations)
            # The family is guarded like the server's create call (bearer auth when no document says otherwise).
            creates = [op for op in relay if op.multipart is not None]
            family = tuple(sorted(self.family.operations, key=_specificity))
            table = _Table(server_id, relay, family, not creates or creates[0].needs_bearer)
            if len(self._tables) < 64:  # hosts come from clients: keep the cache bounded
                self._tables[key] = table
        return table

    def route_of(self, request: RawRequest, server: str | None = None) -> Route:
        """The route for ``request``: every door and the service ask this, once per request."""
        return self.resolve(request.method, request.path, request.host, server)

    def resolve(self, method: str, path: str, host: str = "", server: str | None = None) -> Route:
        """The route for one request; ``server`` defaults to the router's, else the host's, else all."""
        method = method.upper()
        server = server if server is not None else self.server
        key = (method, path, server, "" if server is not None else host)
        known = self._relay_routes.get(key)
        if known is not None:
            return known
        table = self._table(server, host)
        wanted = "GET" if method == "HEAD" else method
        relay = tuple(op for op in table.relay_operations if op.matches(wanted, path))
        if relay:
            route = Route(
                method, path, table.server, relay, documented=True, needs_bearer=relay[0].needs_bearer,
                streamed=any(op.multipart is not None for op in relay),
                creates=any(op.multipart is not None for op in relay),
            )
            if len(self._relay_routes) < 256:  # the relays' few fixed paths; hosts come from clients
                self._relay_routes[key] = route
            return route
        trimmed = path.rstrip("/") or "/"
        # The most specific template that matches the path decides (OpenAPI: concrete paths before
        # templated ones), so /v1/videos/characters/{id} is never read as a video's /content, nor
        # GET /v1/videos/edits as the video "edits": that is a 405, as for any served path.
        template = next((op.path for op in table.family_operations if op.path_regex.fullmatch(trimmed)), None)
        for op in table.family_operations:
            if op.path == template and op.method == wanted.lower():
                return Route(
                    method, path, table.server, (op,), needs_bearer=table.needs_bearer, creates=op.creates_video,
                    params=op.path_params(trimmed) or {},
                )
        problem = _no_route(method, path, table)
        return Route(method, path, table.server, problem=problem, needs_bearer=table.needs_bearer)


def _specificity(op: Operation) -> tuple[int, ...]:
    """Sort key: at the first segment where two templates differ, a literal one comes before a parameter."""
    return tuple(1 if segment.startswith("{") else 0 for segment in op.path.strip("/").split("/"))


def _no_route(method: str, path: str, table: _Table) -> Problem:
    trimmed = path.rstrip("/") or "/"
    known = any(op.path_regex.fullmatch(path) for op in table.relay_operations) or any(
        op.path_regex.fullmatch(trimmed) for op in table.family_operations
    )
    return method_not_allowed(method, path) if known else unknown_url(method, path)
