"""Loading documents: plain YAML/JSON, Apifox Markdown exports, http(s) URLs, and every way to fail.

URLs are served by a local ``http.server`` on 127.0.0.1: no network beyond loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from changes_docs import REPO, base_document, dump

from contract_tests.changes.loading import LoadError, load, parse

SEEDLIKE = "# Create a video\n\n## OpenAPI Specification\n\n```yaml\n{body}```\n\nTrailing prose.\n"


def test_plain_yaml_keeps_the_text_verbatim() -> None:
    text = dump(base_document())
    loaded = parse(text, "doc.yaml")
    assert (loaded.text, loaded.wrapped, loaded.document["openapi"]) == (text, False, "3.0.1")


def test_json_documents_load() -> None:
    text = json.dumps(base_document(), indent=2)
    loaded = parse(text, "doc.json")
    assert loaded.document == base_document()
    line = loaded.line_of("/paths/~1v1~1videos/post")
    assert line is not None and text.splitlines()[line - 1].strip() == '"post": {'


def test_apifox_markdown_yields_the_block_verbatim_with_file_lines() -> None:
    body = dump(base_document())
    text = SEEDLIKE.format(body=body)
    loaded = parse(text, "export.md")
    assert loaded.wrapped and loaded.text == body
    line = loaded.line_of("/paths/~1v1~1videos/post/summary")
    assert line is not None and text.splitlines()[line - 1].strip() == "summary: create a video"


@pytest.mark.parametrize("doc_id", ["chainhub", "jxincm-character", "jxincm-private"])
def test_loading_a_committed_export_gives_back_its_spec_text(doc_id: str) -> None:
    """The specs were copied verbatim out of the exports in specs/upstream/: loading one gives the spec."""
    loaded = load(str(REPO / "specs" / "upstream" / f"{doc_id}.apifox.md"))
    assert loaded.wrapped and loaded.text == (REPO / "specs" / f"{doc_id}.yaml").read_text(encoding="utf-8")


def test_doc_id_comes_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "chainhub.yaml"
    path.write_text(dump(base_document()), encoding="utf-8")
    assert load(str(path)).doc_id == "chainhub"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: [1, 2\n", "not valid YAML or JSON"),
        ("title: hello\n", "not an OpenAPI document"),
        ("# Notes\n\n```yaml\ntitle: hello\n```\n", "not an OpenAPI document"),
        ("# Notes\n\n```yaml\nopenapi: 3.0.1\npaths: [\n```\n", "the OpenAPI block is not valid YAML"),
        ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0"),
        ("openapi: 2.5.0\npaths: {}\n", "unsupported OpenAPI version"),
        ("openapi: 3.0.1\npaths: [a, b]\n", "`paths` must be a mapping"),
        ("openapi: 3.0.1\nservers: {}\n", "`servers` must be a list"),
    ],
)
def test_unusable_text_is_a_load_error_naming_the_source(text: str, problem: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse(text, "upstream.md")
    assert str(caught.value).startswith("upstream.md: ")
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_file_directory_and_binary(tmp_path: Path) -> None:
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for source, problem in ((tmp_path / "nope.yaml", "no such file"), (tmp_path, "is a directory"),
                            (binary, "not UTF-8")):
        with pytest.raises(LoadError, match=problem):
            load(str(source))


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[int, str]]] = {}

    def do_GET(self) -> None:
        status, body = self.pages.get(self.path, (404, "not found"))
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/markdown; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_urls_load_plain_and_apifox_documents(server: str) -> None:
    body = dump(base_document())
    _Handler.pages = {"/plain.yaml": (200, body), "/api-1.md": (200, SEEDLIKE.format(body=body))}
    plain, wrapped = load(f"{server}/plain.yaml"), load(f"{server}/api-1.md")
    assert plain.document == wrapped.document == base_document()
    assert (plain.wrapped, wrapped.wrapped, wrapped.text) == (False, True, body)
    assert wrapped.doc_id == "api-1"


def test_url_errors_are_load_errors(server: str) -> None:
    _Handler.pages = {"/page.html": (200, "<html><body>Apifox</body></html>")}
    with pytest.raises(LoadError, match="HTTP 404"):
        load(f"{server}/missing.md")
    with pytest.raises(LoadError, match="not an OpenAPI document"):
        load(f"{server}/page.html")
    with pytest.raises(LoadError, match="cannot fetch"):
        load("http://127.0.0.1:9/unreachable.md")


def test_the_registry_and_the_change_gate_list_the_same_documents(tmp_path: Path) -> None:
    """One discovery (core.bundled.document_files): a .yml document counts for both or neither."""
    from contract_tests.changes.sources import upstreams
    from contract_tests.core.specs import load_registry

    source = Path(__file__).resolve().parents[2] / "specs" / "chainhub.yaml"
    (tmp_path / "a.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert [u.doc_id for u in upstreams(tmp_path, {})] == sorted(load_registry(tmp_path).documents) == ["a", "b"]
