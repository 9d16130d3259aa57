// A page on a dev server (http://localhost:5173) calls the mock with fetch: the browser's
// preflight and the actual answer's CORS headers, as the browser would check them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { BASE, DEV_ORIGIN, TOKEN } from "./mock.mjs";

test("the preflight of a create from a dev-server origin is allowed", async () => {
  const response = await fetch(`${BASE}/v1/videos`, {
    method: "OPTIONS",
    headers: {
      Origin: DEV_ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization,content-type",
    },
  });
  assert.ok(response.ok, `preflight answered ${response.status}`);
  const origin = response.headers.get("access-control-allow-origin");
  assert.ok(origin === "*" || origin === DEV_ORIGIN, `Access-Control-Allow-Origin: ${origin}`);
  const methods = (response.headers.get("access-control-allow-methods") ?? "").split(/,\s*/);
  assert.ok(methods.includes("POST"), `Access-Control-Allow-Methods: ${methods}`);
  const headers = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
  for (const name of ["authorization", "content-type"]) assert.ok(headers.includes(name), `${name} not allowed`);
});

test("the answer to a cross-origin call exposes openai-poll-after-ms to the page", async () => {
  const response = await fetch(`${BASE}/v1/videos?limit=1`, {
    headers: { Origin: DEV_ORIGIN, Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(response.status, 200);
  const origin = response.headers.get("access-control-allow-origin");
  assert.ok(origin === "*" || origin === DEV_ORIGIN, `Access-Control-Allow-Origin: ${origin}`);
  const exposed = (response.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(/,\s*/);
  assert.ok(exposed.includes("openai-poll-after-ms"), `Access-Control-Expose-Headers: ${exposed}`);
});
