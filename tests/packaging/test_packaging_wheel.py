"""The wheel carries everything an installed toolkit needs: code, media, and the documents of specs/.

Built offline (``python -m build --no-isolation``, the dev extras bring setuptools and build) from a
copy of the sources, so the checkout stays untouched. ``.ci/wheel_check.py`` goes further in CI: it
installs the wheel with its dependencies into a fresh venv and drives sora-mock, the lint and a
client project's pytest from an empty folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from contract_tests.core.bundled import SPECS_ENV

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("contract_tests", "mockserver")
BUNDLED = "contract_tests/bundled_specs"
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for name in (*PACKAGES, "specs"):
        shutil.copytree(REPO / name, source / name, ignore=_SKIP)
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    [built] = dist.glob("*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_packages(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(REPO).as_posix() for package in PACKAGES for p in _files(REPO / package)}
    assert expected - names == set()
    content = {"contract_tests/core/h264.py", "contract_tests/core/mp4.py", "contract_tests/core/images.py"}
    assert content <= names


def test_the_wheel_carries_specs_verbatim_as_the_bundled_documents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        bundled = {n.removeprefix(BUNDLED + "/"): archive.read(n) for n in archive.namelist()
                   if n.startswith(BUNDLED + "/")}
    committed = {p.relative_to(REPO / "specs").as_posix(): p.read_bytes() for p in _files(REPO / "specs")}
    assert bundled == committed
    assert {"chainhub.yaml", "sources.json", "upstream/chainhub.apifox.md"} <= set(bundled)


def test_the_unpacked_wheel_finds_its_documents_and_media_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    """No checkout around: the registry, the lint and every content variant work from the wheel alone."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != SPECS_ENV} | {"PYTHONPATH": str(site)}
    code = (
        "import contract_tests, sys\n"
        "from contract_tests import bundled_specs_dir, load_registry\n"
        "from contract_tests.core import assets\n"
        "print(contract_tests.__file__)\n"
        "print(bundled_specs_dir())\n"
        "print(sorted(load_registry().documents))\n"
        "print([assets.content(v, '720x1280', '4')[1] for v in ('video', 'thumbnail', 'spritesheet')])\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=empty, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    package, specs, documents, media = run.stdout.splitlines()
    assert Path(package).is_relative_to(site) and Path(specs) == site / BUNDLED
    assert documents == "['chainhub', 'jxincm-character', 'jxincm-private']"
    assert media == "['video/mp4', 'image/webp', 'image/jpeg']"
    lint = subprocess.run([sys.executable, "-m", "contract_tests", "lint", "--fail-on", "error"],
                          cwd=empty, env=env, capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stderr
    assert f"{BUNDLED}/chainhub.yaml" in lint.stdout.splitlines()[0]  # the lint title names what it read
    assert " 0 errors" in lint.stdout
