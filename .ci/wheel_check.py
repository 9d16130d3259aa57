#!/usr/bin/env python3
"""CI: the toolkit as a user gets it. Build the wheel, install it in a fresh venv, use it from an empty folder.

    .venv/bin/python .ci/wheel_check.py [--keep]

Everything happens in a temporary folder outside the checkout, so nothing can fall back on the
repository's files: ``sora-mock`` serves a video through to all three content variants,
``sora-contract lint`` reads the bundled documents, and a client project's pytest runs the
README's ``sora_mock`` example. The build is isolated (``python -m build --wheel``, as
``pip install .`` and ``pip install git+URL`` build), and the install takes the dependencies from
the package index, so this needs the network that installing needs.

The same file runs twice: as the driver with the checkout's Python (standard library only), then
with ``--installed`` under the fresh venv's Python, where it may import what the wheel installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README_SECTION = "## Testing your own client (the pytest plugin)"
CONTENT = {  # variant -> media type and the file signature at the start of the body
    "video": ("video/mp4", b"ftyp", 4),
    "thumbnail": ("image/webp", b"WEBP", 8),
    "spritesheet": ("image/jpeg", b"\xff\xd8\xff", 0),
}
DEADLINE_SECONDS = 30


def step(message: str) -> None:
    print(f"wheel-check: {message}", flush=True)


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; on failure, stop with its output (CI shows why)."""
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wheel-check: {' '.join(map(str, command))} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the driver: build, fresh venv, install -------------------------------------------------------


def drive(keep: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="sora-wheel-check-")).resolve()
    if work.is_relative_to(REPO):
        sys.exit(f"wheel-check: {work} is inside the checkout; set TMPDIR to a folder outside it")
    try:
        step(f"building the wheel into {work / 'dist'}")
        run(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", REPO)
        [wheel] = (work / "dist").glob("*.whl")
        step(f"installing {wheel.name} into a fresh venv")
        run(sys.executable, "-m", "venv", work / "venv")
        python = work / "venv" / "bin" / "python"
        # The client project of the README's plugin section uses the official SDK besides the toolkit.
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel, "openai")
        empty = work / "empty"
        empty.mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("SORA_SPECS_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
        step(f"using it from {empty}")
        done = subprocess.run([str(python), __file__, "--installed", "--readme", str(REPO / "README.md")],
                              cwd=empty, env=env)
        if done.returncode != 0:
            sys.exit(done.returncode)
        step("ok")
    finally:
        if keep:
            step(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- inside the fresh venv, from an empty folder ---------------------------------------------------


def installed(readme: Path) -> None:
    import contract_tests

    package = Path(contract_tests.__file__).resolve()
    if not package.is_relative_to(Path(sys.prefix).resolve()):
        sys.exit(f"wheel-check: contract_tests comes from {package}, not from the venv {sys.prefix}")
    bin_dir = Path(sys.executable).parent
    serve_all_content_variants(bin_dir)
    lint_the_bundled_documents(bin_dir)
    run_the_readme_client_project(bin_dir, readme)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_all_content_variants(bin_dir: Path) -> None:
    import httpx

    from contract_tests.core import images

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    step(f"sora-mock on {url}")
    server = subprocess.Popen([str(bin_dir / "sora-mock"), "--port", str(port), "--seed", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                httpx.get(f"{url}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    sys.exit(f"wheel-check: sora-mock did not start\n{server.communicate()[0]}")
                time.sleep(0.2)
        with httpx.Client(base_url=f"{url}/v1", headers={"Authorization": "Bearer sk-local"}, timeout=10) as client:
            fields = {"model": "sora-2", "prompt": "a cat on a skateboard", "seconds": "4", "size": "16x9",
                      "watermark": "false"}
            created = client.post("/videos", data=fields, headers={"Prefer": "render-seconds=0"},
                                  files={"input_reference": ("first-frame.png", images.png(), "image/png")})
            if created.status_code != 200:
                sys.exit(f"wheel-check: create answered {created.status_code}: {created.text}")
            video_id = created.json()["id"]
            while (status := client.get(f"/videos/{video_id}").json()["status"]) != "completed":
                if time.monotonic() > deadline or status == "failed":
                    sys.exit(f"wheel-check: video {video_id} is {status}, not completed")
                time.sleep(0.1)
            for variant, (media_type, signature, offset) in CONTENT.items():
                answer = client.get(f"/videos/{video_id}/content", params={"variant": variant})
                kind = answer.headers.get("content-type", "")
                body = answer.content
                if answer.status_code != 200 or kind != media_type or body[offset:offset + len(signature)] != signature:
                    sys.exit(f"wheel-check: content?variant={variant} answered {answer.status_code} {kind!r}, "
                             f"{len(body)} bytes starting {body[:12]!r}")
                step(f"content?variant={variant}: 200 {media_type}, {len(body)} bytes")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()


def lint_the_bundled_documents(bin_dir: Path) -> None:
    output = run(bin_dir / "sora-contract", "lint", "--fail-on", "error")
    title, *_, summary = output.strip().splitlines()
    if "bundled_specs/chainhub.yaml" not in title:
        sys.exit(f"wheel-check: the lint did not read the bundled documents: {title}")
    step(f"sora-contract lint: {summary}")


def run_the_readme_client_project(bin_dir: Path, readme: Path) -> None:
    from contract_tests.core import images

    section = readme.read_text(encoding="utf-8").split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    if not examples:
        sys.exit(f"wheel-check: no Python example under {README_SECTION!r} in the README")
    project = Path.cwd() / "client-project"
    project.mkdir()
    for number, example in enumerate(examples, 1):  # every example of the section is one test module
        (project / f"test_client_{number}.py").write_text(example, encoding="utf-8")
    (project / "frame.png").write_bytes(images.png())
    output = run(bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    expected = len(re.findall(r"^def test_", "\n".join(examples), flags=re.M))
    if f"{expected} passed" not in output or "failed" in output or "error" in output:
        sys.exit(f"wheel-check: the client project's pytest did not pass its {expected} tests\n{output}")
    step(f"a client project's pytest with the sora_mock fixture (the README's examples): {expected} passed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (wheel, venv) for a look")
    parser.add_argument("--installed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--readme", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.installed:
        installed(args.readme)
    else:
        drive(args.keep)


if __name__ == "__main__":
    main()
