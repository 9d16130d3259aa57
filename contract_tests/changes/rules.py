"""The rule catalog: every check ``diff``, ``lint`` and ``drift`` can report, with a stable id and a level.

Ids are kebab-case and mirror oasdiff's checks where one applies (``request-property-became-required``,
``response-success-status-removed``...), so people who know oasdiff read our reports without a key.
Ids never change once published: CI configurations and changelogs refer to them. ``docs/rules.md``
is generated from this table (``python -m contract_tests.changes.rules``) and a test keeps it in sync.

Levels: ``error`` for a change that breaks existing clients or the mock's fidelity to the upstream,
``warning`` for one that may break them and needs a person to look, ``info`` for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract_tests.changes.findings import Level

Kind = Literal["diff", "lint", "drift"]

E, W, INFO = Level.ERROR, Level.WARNING, Level.INFO


@dataclass(frozen=True)
class Rule:
    """One check: ``area`` groups the docs table, ``description`` says what and why."""

    id: str
    level: Level
    kind: Kind
    area: str
    description: str


def _d(rule_id: str, level: Level, area: str, description: str) -> Rule:
    return Rule(rule_id, level, "diff", area, description)


def _l(rule_id: str, level: Level, area: str, description: str) -> Rule:
    return Rule(rule_id, level, "lint", area, description)


def _b(rule_id: str, level: Level, area: str, description: str) -> Rule:
    """A ``drift`` rule: a change in what a relay does, between two recordings."""
    return Rule(rule_id, level, "drift", area, description)


_RULES: tuple[Rule, ...] = (
    # --- diff: document ---------------------------------------------------------------------
    _d("api-version-changed", INFO, "document", "`info.version` changed."),
    _d("openapi-version-changed", INFO, "document", "The `openapi` version of the document changed."),
    # --- diff: servers ------------------------------------------------------------------------
    _d("server-url-changed", E, "servers",
       "A server's URL changed: clients and the live suite still call the old host."),
    _d("server-removed", E, "servers", "A server was removed: clients configured for it break."),
    _d("server-added", INFO, "servers", "A server was added."),
    _d("server-description-changed", INFO, "servers", "A server's description changed."),
    # --- diff: security -----------------------------------------------------------------------
    _d("api-global-security-added", E, "security",
       "A document-wide security requirement was added: anonymous clients are now rejected."),
    _d("api-global-security-removed", W, "security",
       "A document-wide security requirement was removed: the mock still demands credentials."),
    _d("api-security-added", E, "security",
       "An operation now requires a security scheme it did not require before."),
    _d("api-security-removed", W, "security",
       "An operation no longer requires a security scheme: the mock's auth check no longer matches."),
    _d("security-scheme-changed", E, "security",
       "A security scheme's type, scheme, `in` or `name` changed: clients send credentials the old way."),
    _d("security-scheme-removed", E, "security", "A security scheme definition was removed."),
    _d("security-scheme-added", INFO, "security", "A security scheme definition was added."),
    # --- diff: paths and operations ------------------------------------------------------------
    _d("api-path-removed", E, "operations", "A path was removed with all its operations."),
    _d("api-path-added", INFO, "operations", "A path was added."),
    _d("api-operation-removed", E, "operations", "An operation (method) was removed from a path that remains."),
    _d("api-operation-added", INFO, "operations", "An operation (method) was added."),
    _d("api-operation-deprecated", W, "operations", "An operation became `deprecated: true`."),
    _d("api-operation-reactivated", INFO, "operations", "An operation is no longer deprecated."),
    _d("api-operation-id-changed", W, "operations",
       "The `operationId` changed: generated clients rename their method."),
    _d("api-summary-changed", INFO, "operations", "An operation's summary changed."),
    _d("api-description-changed", INFO, "operations", "An operation's description changed."),
    _d("api-tag-added", INFO, "operations", "An operation gained a tag."),
    _d("api-tag-removed", INFO, "operations", "An operation lost a tag."),
    _d("api-extension-changed", INFO, "operations",
       "A vendor extension of an operation (`x-apifox-status`, `x-run-in-apifox`...) changed."),
    # --- diff: parameters -----------------------------------------------------------------------
    _d("new-required-request-parameter", E, "parameters", "A new required parameter was added."),
    _d("new-optional-request-parameter", INFO, "parameters", "A new optional parameter was added."),
    _d("request-parameter-removed", W, "parameters", "A parameter was removed."),
    _d("request-parameter-became-required", E, "parameters", "An optional parameter became required."),
    _d("request-parameter-became-optional", INFO, "parameters", "A required parameter became optional."),
    _d("request-parameter-type-changed", E, "parameters", "A parameter's schema type or format changed."),
    # --- diff: request body ---------------------------------------------------------------------
    _d("request-body-added-required", E, "request body", "A required request body was added."),
    _d("request-body-removed", E, "request body",
       "The request body was removed: clients still send the fields the old version documented."),
    _d("request-body-became-required", E, "request body", "The request body became required."),
    _d("request-body-media-type-removed", E, "request body",
       "A request media type (e.g. `multipart/form-data`) is no longer accepted."),
    _d("request-body-media-type-added", INFO, "request body", "A request media type was added."),
    _d("new-required-request-property", E, "request body",
       "A new required request property: every existing request now lacks it."),
    _d("new-optional-request-property", INFO, "request body", "A new optional request property."),
    _d("request-property-removed", W, "request body",
       "A request property was removed: clients still send it and the upstream may reject or ignore it."),
    _d("request-property-became-required", E, "request body", "An optional request property became required."),
    _d("request-property-became-optional", INFO, "request body", "A required request property became optional."),
    _d("request-property-type-changed", E, "request body", "A request property's type changed."),
    _d("request-property-format-changed", E, "request body",
       "A request property's format changed (`binary` to plain `string`: a file part becomes a text field)."),
    _d("request-property-became-enum", E, "request body",
       "A request property was restricted to a list of enum values."),
    _d("request-property-enum-value-removed", E, "request body", "An enum value of a request property was removed."),
    _d("request-property-enum-value-added", INFO, "request body", "An enum value was added to a request property."),
    _d("request-property-documented-value-removed", W, "request body",
       "A value disappeared from the allowed values a request property's description lists in prose."),
    _d("request-property-documented-value-added", INFO, "request body",
       "A value was added to the allowed values a request property's description lists in prose."),
    _d("request-property-max-length-decreased", E, "request body",
       "A request property's `maxLength` decreased or was set."),
    _d("request-property-min-length-increased", E, "request body",
       "A request property's `minLength` increased or was set."),
    _d("request-property-max-decreased", E, "request body", "A request property's `maximum` decreased or was set."),
    _d("request-property-min-increased", E, "request body", "A request property's `minimum` increased or was set."),
    _d("request-property-pattern-changed", W, "request body", "A request property's `pattern` was added or changed."),
    _d("request-property-default-value-changed", W, "request body",
       "A request property's default changed: clients that omit it get different behaviour."),
    _d("request-property-description-changed", INFO, "request body", "A request property's description changed."),
    _d("request-property-example-changed", INFO, "request body", "A request property's example changed."),
    # --- diff: responses ------------------------------------------------------------------------
    _d("response-success-status-removed", E, "responses", "A success (2xx) status code was removed."),
    _d("response-non-success-status-removed", W, "responses", "A non-success status code was removed."),
    _d("response-success-status-added", INFO, "responses", "A success status code was added."),
    _d("response-non-success-status-added", INFO, "responses", "A non-success (error) status code was added."),
    _d("response-media-type-removed", E, "responses", "A response media type was removed."),
    _d("response-media-type-added", INFO, "responses", "A response media type was added."),
    _d("response-required-property-removed", E, "responses",
       "A required response property was removed: clients read a field that no longer comes."),
    _d("response-optional-property-removed", W, "responses", "An optional response property was removed."),
    _d("response-required-property-added", INFO, "responses", "A required response property was added."),
    _d("response-optional-property-added", INFO, "responses", "An optional response property was added."),
    _d("response-property-became-optional", E, "responses",
       "A required response property became optional: clients may no longer receive it."),
    _d("response-property-became-required", INFO, "responses", "An optional response property became required."),
    _d("response-property-type-changed", E, "responses", "A response property's type changed."),
    _d("response-property-format-changed", W, "responses", "A response property's format changed."),
    _d("response-property-enum-value-added", W, "responses",
       "A response property can take a new enum value clients may not handle."),
    _d("response-property-enum-value-removed", INFO, "responses", "An enum value of a response property was removed."),
    _d("response-description-changed", INFO, "responses", "A response's description changed."),
    _d("response-property-description-changed", INFO, "responses", "A response property's description changed."),
    _d("response-example-changed", INFO, "responses", "A response example changed."),
    # --- lint ------------------------------------------------------------------------------------
    _l("unresolved-ref", E, "references",
       "A `$ref` points at nothing in the document, or its references loop (`A -> B -> A`) and never reach "
       "a schema; the registry refuses such a document with the same message."),
    _l("required-property-not-defined", E, "schemas", "`required` names a property the schema does not define."),
    _l("example-violates-schema", E, "examples", "A property example does not validate against its own schema."),
    _l("example-violates-documented-constraint", E, "examples",
       "A property example is not one of the allowed values its own description lists in prose."),
    _l("example-contradicts-sibling-document", W, "examples",
       "A property example is outside the values another document allows for the same operation and "
       "property (e.g. `size: 16x9`, an aspect ratio, where the sibling lists `WxH` resolutions)."),
    _l("example-suspicious-value", W, "examples",
       "A string example looks like a misspelt boolean (`ture`) while the property's other examples "
       "are `true`/`false`."),
    _l("response-example-violates-schema", E, "examples", "A response example does not validate against its schema."),
    _l("response-example-disagrees-with-request-example", INFO, "examples",
       "A response example echoes a request property (`model`, `size`...) with a value the request "
       "example does not send (`sora_video2` for `sora-2`)."),
    _l("required-property-without-example", W, "examples",
       "A required request property has no example: generated requests and docs have nothing to show."),
    _l("operation-without-error-response", W, "responses",
       "An operation documents no 4xx/5xx/default response, so clients and the mock cannot know the "
       "error shape."),
    _l("conflicting-operation-definitions", W, "documents",
       "Two documents describe the same operation on the same server with different request properties "
       "or required lists."),
    # --- drift: recorded behaviour ------------------------------------------------------------
    _b("behaviour-now-accepts-invalid", E, "acceptance",
       "A request class the relay rejected (an invalid class and field) is now accepted: clients relying on "
       "the rejection break, and every such request starts a paid video."),
    _b("behaviour-now-rejects-valid", E, "acceptance",
       "Requests the relay accepted (valid creates, lifecycle calls) are now rejected."),
    _b("behaviour-now-rejects-invalid", INFO, "acceptance",
       "An invalid request class the relay accepted is now rejected (stricter, as the contract wants)."),
    _b("behaviour-class-unobserved", INFO, "coverage",
       "A request class recorded before is absent from the new recording (not sent, or skipped): nothing is "
       "compared for it."),
    _b("error-status-changed", W, "errors", "The statuses a rejected request class is answered with changed."),
    _b("error-media-type-changed", W, "errors", "The media type of a request class's error bodies changed."),
    _b("error-shape-changed", W, "errors",
       "The shape of a request class's error bodies (their JSON paths and types) changed: clients parse "
       "errors the old way."),
    _b("response-field-removed", E, "responses", "A field the relay's videos carried no longer comes."),
    _b("response-field-retyped", E, "responses", "A field of the relay's videos changed its JSON type."),
    _b("response-field-added", INFO, "responses", "The relay's videos carry a field they did not carry before."),
    _b("response-header-removed", W, "responses", "A response header the relay sent no longer comes."),
    _b("latency-regressed", W, "timing",
       "Latency p95 more than doubled and grew by over 200 ms."),
    _b("render-time-regressed", W, "timing", "Followed videos take over 1.5 times as long to render (median)."),
)

CATALOG: dict[str, Rule] = {rule.id: rule for rule in _RULES}
if len(CATALOG) != len(_RULES):  # pragma: no cover - guards the literal above
    raise RuntimeError("duplicate rule id in the catalog")


def rule(rule_id: str) -> Rule:
    """The catalog entry for ``rule_id``; a typo is a programming error, hence ``KeyError``."""
    return CATALOG[rule_id]


def rules_of(kind: Kind) -> list[Rule]:
    """The rules one command can report, in catalog order."""
    return [r for r in _RULES if r.kind == kind]


_SECTIONS: tuple[tuple[Kind, str], ...] = (
    ("diff", "`sora-contract diff`"), ("lint", "`sora-contract lint`"), ("drift", "`sora-contract drift`"),
)


def markdown_table() -> str:
    """The ``docs/rules.md`` document: one table per command, every rule with its level."""
    out = [
        "# Rules",
        "",
        "Every check `sora-contract diff`, `sora-contract lint` and `sora-contract drift` can report.",
        "Ids are stable; they mirror [oasdiff](https://github.com/oasdiff/oasdiff)'s where one applies.",
        "Levels: `error` breaks existing clients or the mock's fidelity, `warning` may break them, `info`",
        "is for the changelog. `drift` compares two live recordings (HAR) of a relay's real behaviour.",
        "Generated by `python -m contract_tests.changes.rules > docs/rules.md`.",
        "",
    ]
    for kind, title in _SECTIONS:
        rules = rules_of(kind)
        out += [f"## {title} ({len(rules)} rules)", "", "| id | level | area | description |",
                "| --- | --- | --- | --- |"]
        out += [f"| `{r.id}` | {r.level.label} | {r.area} | {r.description} |" for r in rules]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown_table(), end="")
