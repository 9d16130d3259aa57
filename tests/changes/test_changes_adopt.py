"""``adopt`` (take a new upstream version into specs/) and ``check-upstream`` (the scheduled diff)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from changes_docs import base_document, dump, request_schema

from contract_tests.changes.sources import export_of, read_sources, upstream_variable, upstreams
from contract_tests.cli import main
from contract_tests.core.bundled import bundled_specs_dir

EXPORT = "# Create a video\n\n## OpenAPI Specification\n\n```yaml\n{body}```\n"


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A specs directory (``SORA_SPECS_DIR``) holding the base document as ``relay``."""
    directory = tmp_path / "specs"
    directory.mkdir()
    (directory / "relay.yaml").write_text(dump(base_document()), encoding="utf-8")
    monkeypatch.setenv("SORA_SPECS_DIR", str(directory))
    monkeypatch.delenv(upstream_variable("relay"), raising=False)
    return directory


def _export(tmp_path: Path, doc: dict[str, object], name: str = "upstream.md") -> tuple[Path, str]:
    body = dump(doc).replace("create a video", "create a video  # upstream wording")
    path = tmp_path / name
    path.write_text(EXPORT.format(body=body), encoding="utf-8")
    return path, body


def _breaking() -> dict[str, object]:
    doc = base_document()
    request_schema(doc)["required"].append("size")
    return doc


def test_adopt_without_yes_is_a_dry_run(specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (specs / "relay.yaml").read_text(encoding="utf-8")
    renamed = base_document()
    renamed["paths"]["/v1/videos"]["post"]["summary"] = "make a video"
    source, _ = _export(tmp_path, renamed)
    assert main(["adopt", str(source), "--as", "relay"]) == 0
    captured = capsys.readouterr()
    assert "api-summary-changed" in captured.out
    assert "dry run: re-run with --yes" in captured.err
    assert (specs / "relay.yaml").read_text(encoding="utf-8") == before
    assert not (specs / "sources.json").exists()


def test_adopt_writes_the_upstream_block_verbatim_and_records_the_source(specs: Path, tmp_path: Path) -> None:
    source, body = _export(tmp_path, base_document())
    assert main(["adopt", str(source), "--as", "relay", "--yes"]) == 0
    assert (specs / "relay.yaml").read_text(encoding="utf-8") == body  # comment kept: not re-serialized
    entry = json.loads((specs / "sources.json").read_text(encoding="utf-8"))["relay"]
    assert entry["upstream"] == str(source) and entry["format"] == "apifox-markdown"
    assert entry["variable"] == "SORA_UPSTREAM_RELAY" and len(entry["sha256"]) == 64
    assert main(["adopt", str(source), "--as", "relay", "--yes"]) == 0  # now identical: nothing to do


def test_adopt_keeps_the_apifox_export_and_drops_it_for_a_plain_document(specs: Path, tmp_path: Path) -> None:
    source, _ = _export(tmp_path, base_document())
    assert main(["adopt", str(source), "--as", "relay", "--yes"]) == 0
    kept = specs / "upstream" / "relay.apifox.md"
    assert kept.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")  # the whole page, as published
    assert read_sources(specs)["relay"]["export"] == "upstream/relay.apifox.md"
    assert export_of("relay", specs) == kept
    plain = tmp_path / "plain.yaml"
    plain.write_text(dump(base_document()).replace("create a video", "make a video"), encoding="utf-8")
    assert main(["adopt", str(plain), "--as", "relay", "--yes"]) == 0
    assert not kept.exists() and export_of("relay", specs) is None  # the document is its own export now


def test_adopt_removes_an_old_export_only_inside_the_specs_directory(specs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("not ours", encoding="utf-8")
    (specs / "sources.json").write_text(json.dumps({"relay": {"export": "../outside.md"}}), encoding="utf-8")
    source, _ = _export(tmp_path, base_document())
    assert main(["adopt", str(source), "--as", "relay", "--yes", "--accept-breaking"]) == 0
    assert outside.read_text(encoding="utf-8") == "not ours"
    assert read_sources(specs)["relay"]["export"] == "upstream/relay.apifox.md"


def test_the_committed_exports_readopt_as_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """adopt reads the in-repository exports offline; each is exactly its committed document."""
    copy = tmp_path / "specs"
    shutil.copytree(bundled_specs_dir(), copy)
    monkeypatch.setenv("SORA_SPECS_DIR", str(copy))
    ids = sorted(p.stem for p in copy.glob("*.yaml"))
    for doc_id in ids:
        export = export_of(doc_id, copy)
        assert export is not None, f"{doc_id} has no export in sources.json"
        assert main(["adopt", str(export), "--as", doc_id, "--yes"]) == 0
        assert "is already identical" in capsys.readouterr().err
    assert sorted(p.name for p in (copy / "upstream").iterdir()) == [f"{i}.apifox.md" for i in ids]


def test_adopt_refuses_breaking_changes_unless_accepted(specs: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = (specs / "relay.yaml").read_text(encoding="utf-8")
    source, body = _export(tmp_path, _breaking())
    assert main(["adopt", str(source), "--as", "relay", "--yes"]) == 1
    assert "refusing to adopt" in capsys.readouterr().err
    assert (specs / "relay.yaml").read_text(encoding="utf-8") == before
    assert main(["adopt", str(source), "--as", "relay", "--yes", "--accept-breaking"]) == 0
    assert (specs / "relay.yaml").read_text(encoding="utf-8") == body


def test_adopt_a_new_document_and_bad_ids(specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, body = _export(tmp_path, base_document())
    assert main(["adopt", str(source), "--as", "newcomer", "--yes"]) == 0
    assert (specs / "newcomer.yaml").read_text(encoding="utf-8") == body
    assert main(["adopt", str(source), "--as", "../escape"]) == 2
    assert "invalid document id" in capsys.readouterr().err
    assert main(["adopt", str(tmp_path / "missing.md"), "--as", "relay"]) == 2


def test_check_upstream_skips_unconfigured_documents(specs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-upstream"]) == 0
    assert "skip relay: no upstream source (set the repository variable SORA_UPSTREAM_RELAY)" in capsys.readouterr().err
    assert main(["check-upstream", "--require"]) == 2
    assert main(["check-upstream", "unknown-doc"]) == 2


def test_check_upstream_diffs_against_the_variable(specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source, _ = _export(tmp_path, _breaking())
    monkeypatch.setenv("SORA_UPSTREAM_RELAY", str(source))
    assert main(["check-upstream", "-f", "github"]) == 1
    out = capsys.readouterr().out
    assert "::error file=" in out and "request-property-became-required" in out
    monkeypatch.setenv("SORA_UPSTREAM_RELAY", str(tmp_path / "gone.md"))
    assert main(["check-upstream"]) == 2


def test_sources_file_is_read_and_the_variable_wins(specs: Path, tmp_path: Path) -> None:
    (specs / "sources.json").write_text(json.dumps({"relay": {"upstream": "https://example.test/a.md"}}),
                                        encoding="utf-8")
    [relay] = upstreams(specs, environ={})
    assert (relay.doc_id, relay.source, relay.variable) == ("relay", "https://example.test/a.md", "SORA_UPSTREAM_RELAY")
    [relay] = upstreams(specs, environ={"SORA_UPSTREAM_RELAY": "/tmp/b.md"})
    assert relay.source == "/tmp/b.md"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"openapi": "3.1.0"}, "OpenAPI 3.1.0 cannot be checked: the checker, the mock and the strategies"),
        ({"components": {"schemas": {"A": {"$ref": "#/components/schemas/Gone"}}}},
         "$ref '#/components/schemas/Gone' points at nothing in the document (at /components/schemas/A/$ref)"),
        # openapi-core's own check, the rest of the registry's gate: info needs a version
        ({"info": {"title": "relay"}}, "not a valid OpenAPI 3.0 document"),
    ],
    ids=["openapi-3.1", "broken-ref", "not-openapi-3.0"],
)
def test_adopt_refuses_what_the_registry_would_refuse(
    specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, object], problem: str
) -> None:
    """specs/ feeds the registry: a document it cannot check is not written there (diff and lint still read it)."""
    before = (specs / "relay.yaml").read_text(encoding="utf-8")
    source, _ = _export(tmp_path, {**base_document(), **change})
    assert main(["adopt", str(source), "--as", "relay", "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sora-contract: error: {source}: {problem}") and err.count("\n") == 1
    assert (specs / "relay.yaml").read_text(encoding="utf-8") == before
    assert not (specs / "sources.json").exists()
