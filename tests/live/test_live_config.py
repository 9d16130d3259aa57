"""The switch, base URLs and tokens: where each server's requests go, and with which token."""

from __future__ import annotations

from contract_tests.core.specs import load_registry
from contract_tests.live.config import env_name, live_requested, resolve

REGISTRY = load_registry()


def test_env_names_upper_case_the_server_id_and_replace_non_alphanumerics() -> None:
    assert env_name("jxincm", "API_KEY") == "SORA_JXINCM_API_KEY"
    assert env_name("my-relay.2", "BASE_URL") == "SORA_MY_RELAY_2_BASE_URL"


def test_offline_unless_the_flag_or_sora_live_is_set() -> None:
    assert not live_requested(False, {})
    assert not live_requested(False, {"SORA_LIVE": "0"})
    assert live_requested(False, {"SORA_LIVE": "1"})
    assert live_requested(True, {})


def test_base_urls_come_from_the_documents_by_default() -> None:
    config = resolve(REGISTRY, environ={})
    assert config.server("jxincm").base_url == "https://api.jxincm.cn"
    assert config.server("chainhub").base_url == "https://api.chainhub.tech"
    assert config.server("jxincm").base_url_source == "document servers"


def test_a_server_variable_overrides_one_server_and_the_flag_overrides_all() -> None:
    env = {"SORA_CHAINHUB_BASE_URL": "http://127.0.0.1:9/"}
    config = resolve(REGISTRY, environ=env)
    assert config.server("chainhub").base_url == "http://127.0.0.1:9"
    assert config.server("jxincm").base_url == "https://api.jxincm.cn"
    flagged = resolve(REGISTRY, base_url="http://127.0.0.1:8", environ=env)
    assert {s.base_url for s in flagged.servers.values()} == {"http://127.0.0.1:8"}
    assert flagged.server("chainhub").base_url_source == "--live-base-url"


def test_tokens_per_server_fall_back_to_sora_api_key() -> None:
    config = resolve(REGISTRY, environ={"SORA_JXINCM_API_KEY": "sk-jx-123456", "SORA_API_KEY": "sk-all-654321"})
    jx, ch = config.server("jxincm"), config.server("chainhub")
    assert jx.token is not None and jx.token.reveal() == "sk-jx-123456"
    assert jx.token_source == "SORA_JXINCM_API_KEY"
    assert ch.token is not None and ch.token.reveal() == "sk-all-654321"
    assert ch.token_source == "SORA_API_KEY"


def test_a_missing_token_says_which_variable_to_set() -> None:
    server = resolve(REGISTRY, environ={"SORA_API_KEY": "  "}).server("chainhub")
    assert server.token is None
    assert server.missing_token_reason == "no token for server chainhub: set SORA_CHAINHUB_API_KEY (or SORA_API_KEY)"


def test_the_config_never_shows_a_token_in_its_repr() -> None:
    config = resolve(REGISTRY, environ={"SORA_API_KEY": "sk-do-not-print-me"})
    assert "sk-do-not-print-me" not in repr(config)
    assert "sk-do-not-print-me" not in str(config.secrets())


def test_the_paid_cap_defaults_to_the_budget_plus_two_and_can_be_set() -> None:
    assert resolve(REGISTRY, environ={}, budget=1).paid_cap == 3
    assert resolve(REGISTRY, environ={}, budget=4).paid_cap == 6
    assert resolve(REGISTRY, environ={}, budget=4, max_paid=1).paid_cap == 1
    config = resolve(REGISTRY, environ={}, strict=True, follow=30)
    assert config.strict and config.follow == 30
    assert not resolve(REGISTRY, environ={}).strict and resolve(REGISTRY, environ={}).follow == 0
