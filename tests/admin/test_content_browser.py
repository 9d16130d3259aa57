"""Content in a real browser: a ``<video>`` shows the video's size and duration and seeks.

What a frontend developer sees on their own page (here a tiny static server on another
127.0.0.1 port, so the requests are cross-origin as from a dev server): the ``<video>`` reports
``videoWidth``, ``videoHeight`` and ``duration`` of the video it was made for, seeks to a later
second and paints the picture there (read back from a canvas, which CORS allows); the browser
fetched it with ``Range`` and sora-mock answered 206 (DevTools' network log); the thumbnail and
the spritesheet decode with the video's aspect ratio. The page links the admin page's content
URL, which needs no token, as a ``<video src>`` sends none.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from browser import chromium

from contract_tests.core import assets
from mockserver.background import BackgroundServer
from mockserver.settings import Settings

PAGE = b"<!doctype html><html><head><title>player</title></head><body></body></html>"
# Loads the video, checks nothing itself: answers what the element reported, or its error.
PLAY = """
const [url, seekTo, done] = arguments;
const video = document.createElement('video');
video.muted = true;
video.crossOrigin = 'anonymous';
video.preload = 'auto';
video.onerror = () => done({error: `${video.error && video.error.code} ${video.error && video.error.message}`});
video.onloadedmetadata = () => {
  const seen = {width: video.videoWidth, height: video.videoHeight, duration: video.duration};
  // 'seeked' can fire before the new frame is painted (a loaded machine): read the pixel only once
  // the frame at the seek target is presented, as requestVideoFrameCallback reports it.
  const paint = (now, frame) => {
    if (frame.mediaTime < seekTo - 1.0) { video.requestVideoFrameCallback(paint); return; }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    context.drawImage(video, 0, 0);
    const pixel = context.getImageData(video.videoWidth >> 1, video.videoHeight >> 1, 1, 1).data;
    done({...seen, currentTime: video.currentTime, mediaTime: frame.mediaTime, pixel: Array.from(pixel.slice(0, 3))});
  };
  video.requestVideoFrameCallback(paint);
  video.currentTime = seekTo;
};
video.src = url;
document.body.appendChild(video);
"""
DECODE = """
const [url, done] = arguments;
const image = new Image();
image.src = url;
image.decode().then(() => done({width: image.naturalWidth, height: image.naturalHeight}),
                    (error) => done({error: String(error)}));
"""
# Portrait, landscape, the largest documented size, one off the 16-pixel grid (cropped), and the
# longest duration (IDRs 20 s apart, so frame_num wraps between them).
CASES = [("720x1280", "8"), ("1280x720", "10"), ("1792x1024", "12"), ("160x90", "4"), ("640x360", "600")]


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    """A page on its own 127.0.0.1 port: another origin than sora-mock, as a dev server is."""
    with ThreadingHTTPServer(("127.0.0.1", 0), _Page) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        httpd.shutdown()  # pytest resumes the fixture after the module's tests, passed or failed


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Settings(render_seconds=1.0, seed=5)) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(performance_log=True) as driver:
        driver.set_script_timeout(20)
        yield driver


def network_answers(driver: Any, video_id: str) -> list[tuple[int, dict[str, str]]]:
    """(status, headers) of every response the browser received for this video's content."""
    answers = []
    for record in driver.get_log("performance"):
        message = json.loads(record["message"])["message"]
        response = message.get("params", {}).get("response", {})
        if message["method"] == "Network.responseReceived" and video_id in response.get("url", ""):
            answers.append((response["status"], {k.lower(): v for k, v in response["headers"].items()}))
    return answers


@pytest.mark.parametrize(("size", "seconds"), CASES)
def test_a_video_element_plays_the_videos_size_and_duration_and_seeks(
    browser: Any, server: BackgroundServer, page_url: str, size: str, seconds: str
) -> None:
    video_id = server.service.engine.create({"prompt": "p", "size": size, "seconds": seconds}, render_seconds=0)["id"]
    content = f"{server.url}/__admin/videos/{video_id}/content"
    width, height = (int(side) for side in size.split("x"))
    browser.get(page_url)
    browser.get_log("performance")  # drop what loading the page logged

    seek_to = float(seconds) - 1.5
    seen = browser.execute_async_script(PLAY, content, seek_to)
    assert "error" not in seen, seen
    assert (seen["width"], seen["height"], seen["duration"]) == (width, height, float(seconds))
    assert seen["currentTime"] == pytest.approx(seek_to)
    # The picture is painted: the colour, give or take the decoder's choice of BT.601 or BT.709.
    assert all(abs(got - want) <= 12 for got, want in zip(seen["pixel"], assets.COLOUR, strict=True)), seen["pixel"]

    answers = network_answers(browser, video_id)
    ranged = [headers for status, headers in answers if status == 206 and "content-range" in headers]
    assert ranged, f"the browser never got a 206 for a Range request: {answers}"

    for variant in ("thumbnail", "spritesheet"):
        image = browser.execute_async_script(DECODE, f"{content}?variant={variant}")
        assert "error" not in image, (variant, image)
        assert abs(image["width"] / image["height"] - width / height) < 0.02 * width / height, (variant, image)
