// The mock's OpenAI-format errors arrive as the SDK's typed exceptions, carrying param and code.
import assert from "node:assert/strict";
import { test } from "node:test";

import OpenAI from "openai";

import { client, createParams } from "./mock.mjs";

/** The error a call rejects with (failing the test when it resolves instead). */
async function rejection(promise) {
  return promise.then(
    (value) => assert.fail(`expected an error, got ${JSON.stringify(value)}`),
    (error) => error,
  );
}

test("a create without input_reference raises BadRequestError with param input_reference", async () => {
  const error = await rejection(client.videos.create(await createParams({ input_reference: undefined })));
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.equal(error.status, 400);
  assert.equal(error.type, "invalid_request_error");
  assert.equal(error.code, "missing_required_parameter");
  assert.equal(error.param, "input_reference");
});

test("an unknown form field raises BadRequestError naming it", async () => {
  const error = await rejection(client.videos.create(await createParams({ watermark_typo: "x" })));
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.equal(error.code, "unknown_parameter");
  assert.equal(error.param, "watermark_typo");
});

test("a wrong Authorization scheme raises AuthenticationError", async () => {
  const error = await rejection(client.videos.list({}, { headers: { Authorization: "Token abc" } }));
  assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
  assert.equal(error.status, 401);
  assert.equal(error.code, "invalid_api_key");
  assert.equal(error.param, null);
});

test("no key at all raises AuthenticationError", async () => {
  // A null header is the SDK's way to leave it out; without a key it refuses to send the request.
  const error = await rejection(client.videos.list({}, { headers: { Authorization: null } }));
  assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
  assert.equal(error.code, "invalid_api_key");
});

test("an unknown id raises NotFoundError with param video_id", async () => {
  const error = await rejection(client.videos.retrieve("video_does_not_exist"));
  assert.ok(error instanceof OpenAI.NotFoundError, String(error));
  assert.equal(error.code, "not_found");
  assert.equal(error.param, "video_id");
});

test("Prefer: code=503 raises InternalServerError (retries are off)", async () => {
  const error = await rejection(client.videos.list({}, { headers: { Prefer: "code=503" } }));
  assert.ok(error instanceof OpenAI.InternalServerError, String(error));
  assert.equal(error.status, 503);
  assert.equal(error.code, "server_error");
});
