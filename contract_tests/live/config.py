"""The live switch and what it points at: each server's base URL and token, from flags and env.

Everything is resolved once, at configure time, from the registry (each server's documented
``servers`` URL) plus overrides, so a run's report can say exactly where each server's requests
went and which variable would have supplied a missing token.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contract_tests.core.specs import SpecRegistry
from contract_tests.live.budget import default_max_paid
from contract_tests.live.secrets import Secret
from contract_tests.live.transport import RetryPolicy

LIVE_ENV = "SORA_LIVE"
FALLBACK_TOKEN_ENV = "SORA_API_KEY"
DEFAULT_BUDGET = 1  # accepted-expected creates per server: each one starts a paid video
DEFAULT_TIMEOUT = 60.0
_TRUE = {"1", "true", "yes", "on"}


def env_name(server_id: str, suffix: str) -> str:
    """``jxincm``, ``API_KEY`` -> ``SORA_JXINCM_API_KEY`` (upper case, non-alphanumerics to ``_``)."""
    return f"SORA_{re.sub(r'[^A-Z0-9]', '_', server_id.upper())}_{suffix}"


def live_requested(flag: bool, environ: Mapping[str, str] | None = None) -> bool:
    """``--live`` or ``SORA_LIVE=1``; anything else keeps the suite offline."""
    env = os.environ if environ is None else environ
    return flag or env.get(LIVE_ENV, "").strip().lower() in _TRUE


@dataclass(frozen=True)
class ServerSettings:
    """Where one server's requests go, and with which token."""

    id: str
    base_url: str
    base_url_source: str
    token: Secret | None
    token_source: str | None

    @property
    def token_variables(self) -> tuple[str, str]:
        return env_name(self.id, "API_KEY"), FALLBACK_TOKEN_ENV

    @property
    def missing_token_reason(self) -> str:
        own, fallback = self.token_variables
        return f"no token for server {self.id}: set {own} (or {fallback})"


@dataclass(frozen=True)
class LiveConfig:
    """Everything live mode needs, resolved once per run."""

    servers: Mapping[str, ServerSettings]
    budget: int = DEFAULT_BUDGET
    require: bool = False
    report_path: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Hard cap on creates answered 2xx per server (None: the budget + 2, see budget.py).
    max_paid: int | None = None
    # Practice deviations (and lifecycle breaks seen while following) fail instead of being observed.
    strict: bool = False
    # Seconds to follow each accepted video with GET /v1/videos/{id}; 0 (the default) does not follow.
    follow: float = 0.0
    # --live-record: write every exchange to this HAR file; --live-known: a recording whose accepted
    # practice probes are not sent again.
    record_path: Path | None = None
    known_path: Path | None = None

    @property
    def paid_cap(self) -> int:
        return default_max_paid(self.budget) if self.max_paid is None else self.max_paid

    def server(self, server_id: str) -> ServerSettings:
        return self.servers[server_id]

    def secrets(self) -> list[Secret]:
        return [s.token for s in self.servers.values() if s.token is not None]


def resolve(
    registry: SpecRegistry,
    *,
    base_url: str | None = None,
    budget: int = DEFAULT_BUDGET,
    require: bool = False,
    report_path: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
    environ: Mapping[str, str] | None = None,
    max_paid: int | None = None,
    strict: bool = False,
    follow: float = 0.0,
    record_path: Path | None = None,
    known_path: Path | None = None,
) -> LiveConfig:
    """Each server's base URL and token.

    Base URL: ``--live-base-url`` (typed for this run, so it wins), else ``SORA_<SERVER>_BASE_URL``,
    else the document's ``servers``. Token: ``SORA_<SERVER>_API_KEY``, else ``SORA_API_KEY``.
    """
    env = os.environ if environ is None else environ
    servers: dict[str, ServerSettings] = {}
    for server in registry.servers.values():
        url_var = env_name(server.id, "BASE_URL")
        if base_url:
            url, url_source = base_url, "--live-base-url"
        elif env.get(url_var):
            url, url_source = env[url_var], url_var
        else:
            url, url_source = server.base_url, "document servers"
        token: Secret | None = None
        token_source: str | None = None
        for var in (env_name(server.id, "API_KEY"), FALLBACK_TOKEN_ENV):
            if env.get(var, "").strip():
                token, token_source = Secret(env[var].strip()), var
                break
        servers[server.id] = ServerSettings(server.id, url.rstrip("/"), url_source, token, token_source)
    return LiveConfig(
        servers, budget, require, report_path, timeout, retry or RetryPolicy(), max_paid, strict, follow,
        record_path, known_path,
    )
