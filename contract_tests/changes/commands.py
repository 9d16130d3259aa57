"""The change gate's subcommands: ``diff``, ``lint``, ``adopt``, ``check-upstream`` and ``rules``.

Each is a ``Command`` (see ``contract_tests.cli``): argument setup plus a ``run`` returning the exit
code. Reporting options (``--format``, ``--fail-on``, ``--output``, ``--summary``) are shared so every
command reads the same in CI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from contract_tests.changes import adopt as adopting
from contract_tests.changes import observe as observing
from contract_tests.changes import report, sources
from contract_tests.changes.diff import diff
from contract_tests.changes.drift import drift, pairs
from contract_tests.changes.findings import Finding, Level, fails
from contract_tests.changes.lint import lint
from contract_tests.changes.loading import Loaded, LoadError, is_url, load
from contract_tests.changes.rules import CATALOG, markdown_table
from contract_tests.cli import EXIT_FAILED, EXIT_OK, EXIT_UNUSABLE, Command, UsageError
from contract_tests.core import har
from contract_tests.core.bundled import document_files
from contract_tests.core.refs import LocalRefs
from contract_tests.core.specs import SpecError, SpecRegistry, load_registry

_LEVELS = [level.label for level in reversed(Level)]


def _reporting(parser: argparse.ArgumentParser, fail_on_default: str | None = None) -> None:
    parser.add_argument("--format", "-f", choices=sorted(report.FORMATS), default="text",
                        help="output format (default: text)")
    parser.add_argument("--fail-on", choices=_LEVELS, default=fail_on_default,
                        help="exit 1 when a finding at or above this level exists"
                        + (f" (default: {fail_on_default})" if fail_on_default else " (default: never)"))
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--summary", metavar="FILE",
                        help="also append a Markdown report to FILE (e.g. \"$GITHUB_STEP_SUMMARY\")")


def _threshold(args: argparse.Namespace) -> Level | None:
    return Level.parse(args.fail_on) if args.fail_on else None


def _emit(args: argparse.Namespace, findings: Sequence[Finding], title: str) -> int:
    """Write the report(s) and turn ``--fail-on`` into the exit code."""
    threshold = _threshold(args)
    rendered = report.render(args.format, findings, title, threshold)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
        sys.stdout.flush()
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as summary:
            summary.write(report.render("markdown", findings, title, threshold) + "\n")
    return EXIT_FAILED if fails(findings, threshold) else EXIT_OK


# --- diff ----------------------------------------------------------------------------------------


def _configure_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the current document: file or http(s) URL")
    parser.add_argument("new", metavar="NEW", help="the new document: file or http(s) URL")
    _reporting(parser)


def _warn_broken_refs(*documents: Loaded) -> None:
    """``diff`` compares a ``$ref`` that cannot be followed as an empty schema (lenient, so one broken
    reference does not hide every other change); say so on stderr, in the words the registry refuses
    the document with and ``lint`` reports it with (``unresolved-ref``)."""
    for loaded in documents:
        for problem in LocalRefs(loaded.document).problems():
            print(f"warning: {loaded.source}: {problem}; compared as an empty schema", file=sys.stderr)


def _run_diff(args: argparse.Namespace) -> int:
    old, new = load(args.old), load(args.new)
    _warn_broken_refs(old, new)
    return _emit(args, diff(old, new), f"{args.old} -> {args.new}")


# --- lint ----------------------------------------------------------------------------------------


def _resolve_doc(name: str, directory: Path) -> str:
    """A document id (``chainhub``) names ``specs/chainhub.yaml``; anything else is a file or URL."""
    if is_url(name) or Path(name).exists():
        return name
    candidate = directory / f"{name}.yaml"
    if candidate.is_file():
        return str(candidate)
    raise UsageError(f"{name}: no such file, URL or document id in {directory}")


def _display(path: Path) -> str:
    """``specs/x.yaml`` relative to the working directory when possible (annotations need that)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _spec_files(directory: Path) -> list[str]:
    return [_display(p) for p in document_files(directory)]


def _configure_lint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("docs", metavar="DOC", nargs="*",
                        help="documents to lint: ids in specs/, files or URLs (default: every document in specs/)")
    _reporting(parser)


def _run_lint(args: argparse.Namespace) -> int:
    directory = sources.specs_dir()
    names = [_resolve_doc(d, directory) for d in args.docs] or _spec_files(directory)
    if not names:
        raise UsageError(f"{directory}: no documents to lint")
    targets = [load(name) for name in names]
    target_paths = {Path(t.source).resolve() for t in targets if not is_url(t.source)}
    siblings = [load(p) for p in _spec_files(directory) if Path(p).resolve() not in target_paths]
    return _emit(args, lint(targets, siblings), "lint " + " ".join(names))


# --- adopt ---------------------------------------------------------------------------------------


def _configure_adopt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SOURCE", help="the new upstream version: file or http(s) URL")
    parser.add_argument("--as", dest="doc_id", required=True, metavar="DOC_ID",
                        help="document id: writes specs/DOC_ID.yaml")
    parser.add_argument("--yes", "-y", action="store_true", help="write it (without: show the diff only)")
    parser.add_argument("--accept-breaking", action="store_true",
                        help="write even when changes reach --fail-on")
    _reporting(parser, fail_on_default="error")


def _run_adopt(args: argparse.Namespace) -> int:
    try:
        chosen = adopting.plan(args.source, args.doc_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    target = _display(chosen.target)
    if chosen.unchanged:
        print(f"{target} is already identical to {args.source}", file=sys.stderr)
        return EXIT_OK
    if chosen.is_new:
        print(f"{target} does not exist yet: adopting {args.source} adds a new document", file=sys.stderr)
    else:
        _emit(args, chosen.findings, f"{target} -> {args.source}")
    if chosen.blocked(_threshold(args), args.accept_breaking):
        print(f"refusing to adopt: changes at or above {args.fail_on} (re-run with --accept-breaking "
              "once the contract suite and the mock follow them)", file=sys.stderr)
        return EXIT_FAILED
    if not args.yes:
        print(f"dry run: re-run with --yes to write {target}", file=sys.stderr)
        return EXIT_OK
    written = adopting.write(chosen)
    print(f"wrote {_display(written)} and recorded its source in {sources.SOURCES_FILE}", file=sys.stderr)
    return EXIT_OK


# --- check-upstream ------------------------------------------------------------------------------


def _configure_check_upstream(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("docs", metavar="DOC", nargs="*", help="document ids (default: every document in specs/)")
    parser.add_argument("--require", action="store_true",
                        help="exit 2 when a document has no upstream configured (default: skip it)")
    _reporting(parser, fail_on_default="error")


def _run_check_upstream(args: argparse.Namespace) -> int:
    known = sources.upstreams()
    unknown = sorted(set(args.docs) - {u.doc_id for u in known})
    if unknown:
        raise UsageError(f"unknown document id(s): {', '.join(unknown)}")
    chosen = [u for u in known if not args.docs or u.doc_id in args.docs]
    findings: list[Finding] = []
    checked: list[str] = []
    unusable: list[str] = []
    for upstream in chosen:
        if upstream.source is None:
            message = f"{upstream.doc_id}: no upstream source (set the repository variable {upstream.variable})"
            print(("error: " if args.require else "skip ") + message, file=sys.stderr)
            if args.format == "github" and not args.output:
                print(f"::notice title=upstream not configured::{message}")
            if args.require:
                unusable.append(message)
            continue
        try:
            old, new = load(_display(upstream.path)), load(upstream.source)
            _warn_broken_refs(old, new)
            findings += diff(old, new)
        except LoadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            unusable.append(str(exc))
            continue
        checked.append(upstream.doc_id)
    title = f"upstream check of {', '.join(checked)}" if checked else "upstream check: no upstream configured"
    code = _emit(args, findings, title)
    return EXIT_UNUSABLE if unusable else code


# --- observe and drift ---------------------------------------------------------------------------


def _registry() -> SpecRegistry | None:
    """The documents, to tell documented response fields from the rest; None if specs/ is unusable."""
    try:
        return load_registry()
    except (OSError, SpecError) as exc:
        print(f"warning: documents not loaded ({exc}); every response field counts as undocumented",
              file=sys.stderr)
        return None


def _profile(paths: Sequence[str], registry: SpecRegistry | None) -> dict[str, Any]:
    entries = []
    for path in paths:
        try:
            entries += har.read_entries(path)
        except har.HarError as exc:
            raise UsageError(str(exc)) from None
    return observing.profile(entries, registry, " + ".join(paths))


def _configure_observe(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hars", metavar="HAR", nargs="+", help="recordings (--live-record) to profile together")
    parser.add_argument("--format", "-f", choices=observing.FORMATS, default="text",
                        help="output format (default: text)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the profile to FILE instead of stdout")


def _run_observe(args: argparse.Namespace) -> int:
    rendered = observing.render(args.format, _profile(args.hars, _registry()))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    return EXIT_OK


def _configure_drift(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD.har", help="the earlier recording (or one relay's)")
    parser.add_argument("new", metavar="NEW.har", help="the later recording (or the other relay's)")
    _reporting(parser)


def _run_drift(args: argparse.Namespace) -> int:
    registry = _registry()
    old, new = _profile([args.old], registry), _profile([args.new], registry)
    matched = pairs(old, new)
    if not matched:
        raise UsageError(f"no server to compare: {args.old} records {sorted(old['servers']) or 'none'}, "
                         f"{args.new} records {sorted(new['servers']) or 'none'}")
    differential = any(a != b for a, b in matched)
    title = (f"differential report: {matched[0][0]} ({args.old}) vs {matched[0][1]} ({args.new})" if differential
             else f"behaviour drift {args.old} -> {args.new}")
    return _emit(args, drift(old, new, args.new), title)


# --- rules ---------------------------------------------------------------------------------------


def _configure_rules(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=("text", "markdown"), default="text")


def _run_rules(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        sys.stdout.write(markdown_table())
        return EXIT_OK
    for r in CATALOG.values():
        print(f"{r.kind:<5} {r.level.label:<8} {r.id:<48} {r.description}")
    return EXIT_OK


COMMANDS: tuple[Command, ...] = (
    Command("diff", "classify the changes between two versions of a document", _configure_diff, _run_diff,
            "List every change from OLD to NEW with a stable rule id and a level (error breaks clients or\n"
            "the mock's fidelity). OLD and NEW are files or http(s) URLs, plain OpenAPI YAML/JSON or Apifox\n"
            "Markdown exports. Exit 0, 1 with --fail-on when a change reaches that level, 2 on unusable input."),
    Command("lint", "report contradictions inside documents", _configure_lint, _run_lint,
            "Examples that violate their own schema or documented constraints, response examples that do\n"
            "not conform, operations without error responses... Default: every document in specs/."),
    Command("adopt", "take a new upstream version into specs/ after showing the diff", _configure_adopt, _run_adopt,
            "Loads SOURCE, shows the diff against specs/DOC_ID.yaml and, with --yes, writes the upstream\n"
            "OpenAPI text verbatim, keeps an Apifox export whole as specs/upstream/DOC_ID.apifox.md and\n"
            "records SOURCE in specs/sources.json. Breaking changes (--fail-on, default error) are refused\n"
            "unless --accept-breaking."),
    Command("check-upstream", "diff each committed document against its upstream source", _configure_check_upstream,
            _run_check_upstream,
            "For each document in specs/, read its upstream from $SORA_UPSTREAM_<DOC_ID> or\n"
            "specs/sources.json and diff the committed version against it. Documents without an upstream\n"
            "are skipped with a message (or fail with --require)."),
    Command("observe", "profile a relay's recorded behaviour (HAR from --live-record)", _configure_observe,
            _run_observe,
            "Per server: every request class seen (valid, each invalid class and field, lifecycle calls)\n"
            "with its statuses, whether it was accepted and its error body's media type and shape; video\n"
            "fields beyond the documents; response header names; latency p50/p95; render time of followed\n"
            "videos."),
    Command("drift", "what changed in a relay's behaviour between two recordings", _configure_drift, _run_drift,
            "Compare the behaviour profiles of OLD.har and NEW.har server by server, as findings with stable\n"
            "rule ids and levels (see `sora-contract rules`). Recordings of two different relays (one server\n"
            "each) give the differential report between them. Exit 0, 1 with --fail-on, 2 on unusable input."),
    Command("rules", "list the rule catalog", _configure_rules, _run_rules),
)
