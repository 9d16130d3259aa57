// What the Node SDK tests share: the client pointed at sora-mock, an upload, a create call, a poll.
//
// tests/node/test_node_sdk.py starts sora-mock on a free 127.0.0.1 port and runs `node --test` here
// with SORA_MOCK_URL set; by hand, `npm test` in this folder uses a `sora-mock` on its default port.
import "./file-global.mjs";

import OpenAI, { toFile } from "openai";

export const BASE = (process.env.SORA_MOCK_URL ?? "http://127.0.0.1:4010").replace(/\/$/, "");
export const TOKEN = "sk-node-sdk-test";
export const DEV_ORIGIN = "http://localhost:5173"; // Vite's dev server, the usual frontend origin

// An 8x8 RGB PNG (contract_tests.images.png()): real bytes that decode, as a browser would upload.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGPQqDiBFTEMLQkAAtVaAcSRe60AAAAASUVORK5CYII=",
  "base64",
);

// Retries off: a test sees the first answer, and a 5xx is never hidden by a second try.
export const client = new OpenAI({ baseURL: `${BASE}/v1`, apiKey: TOKEN, maxRetries: 0, timeout: 20_000 });

/** A file part with its own Content-Type, as a browser's FormData sends one. */
export function upload(bytes = PNG, name = "first-frame.png", type = "image/png") {
  return toFile(bytes, name, { type });
}

/** The create arguments the jxincm documents require; watermark/private are the relays' own fields. */
export async function createParams(overrides = {}) {
  return {
    model: "sora-2",
    prompt: "A cow happily takes its driving test",
    seconds: "4",
    size: "1280x720",
    input_reference: await upload(),
    watermark: false,
    private: true,
    ...overrides,
  };
}

/** A video that renders in `renderSeconds` (0: completed at once), through the Prefer header. */
export async function createVideo({ renderSeconds = 0, ...overrides } = {}) {
  return client.videos.create(await createParams(overrides), {
    headers: { Prefer: `render-seconds=${renderSeconds}` },
  });
}

/**
 * Retrieve until the video leaves queued/in_progress, waiting what `openai-poll-after-ms` asks
 * (the Node SDK has no createAndPoll). Bounded: a video that never finishes fails the test.
 */
export async function poll(video, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let current = video;
  let polls = 0;
  while (current.status === "queued" || current.status === "in_progress") {
    if (Date.now() > deadline) throw new Error(`${video.id} still ${current.status} after ${timeoutMs} ms`);
    const { data, response } = await client.videos.retrieve(current.id).withResponse();
    polls += 1;
    current = data;
    const wait = Number(response.headers.get("openai-poll-after-ms") ?? 100);
    if (current.status === "queued" || current.status === "in_progress") {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
    }
  }
  return { video: current, polls };
}

/** The bytes of a download, with the answer's Content-Type. */
export async function download(id, variant) {
  const response = await client.videos.downloadContent(id, variant ? { variant } : {});
  return { type: response.headers.get("content-type"), bytes: Buffer.from(await response.arrayBuffer()) };
}
