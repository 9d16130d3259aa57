"""The README's SDK example runs as written (against this session's server instead of port 4010)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contract_tests.core import images
from mockserver.background import BackgroundServer

README = Path(__file__).resolve().parents[2] / "README.md"


def section_blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The mock server (sora-mock)", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)


def test_readme_python_sdk_example_runs(
    server: BackgroundServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = next(block for block in section_blocks("python") if "OpenAI(" in block)
    assert "http://127.0.0.1:4010/v1" in example
    monkeypatch.chdir(tmp_path)
    (tmp_path / "first-frame.png").write_bytes(images.png())
    exec(compile(example.replace("http://127.0.0.1:4010", server.url), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert re.search(r"video_\S+ completed", printed), printed
    assert (tmp_path / "video.mp4").read_bytes()[4:8] == b"ftyp"


def test_readme_starts_with_the_two_commands() -> None:
    first_lines = README.read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("python3 -m venv .venv") and ".venv/bin/sora-mock" in line for line in first_lines)
