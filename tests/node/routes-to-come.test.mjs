// edit, extend and characters (issue 13): the calls the Node SDK has beyond create/list/remix.
// Each case asserts the behaviour the route must have. (A case for a call still to come is marked
// todo; tests/node/test_node_sdk.py fails when a todo case passes: the flag is then stale.)
import assert from "node:assert/strict";
import { test } from "node:test";

import OpenAI from "openai";

import { client, createVideo, download, poll, upload } from "./mock.mjs";


/** A completed video to edit or extend. */
async function completedVideo() {
  const { video } = await poll(await createVideo());
  assert.equal(video.status, "completed");
  return video;
}

test("edit of a completed video by id (form field video[id]) answers a new queued video", async () => {
  const source = await completedVideo();
  const edited = await client.videos.edit({ prompt: "Make it night", video: { id: source.id } });
  assert.match(edited.id, /^video_/);
  assert.notEqual(edited.id, source.id);
  assert.equal(edited.object, "video");
  assert.equal(edited.status, "queued");
  assert.equal(edited.prompt, "Make it night");
});

test("edit of an uploaded MP4 answers a new queued video", async () => {
  const source = await completedVideo();
  const mp4 = await download(source.id);
  const edited = await client.videos.edit({
    prompt: "Make it night",
    video: await upload(mp4.bytes, "source.mp4", "video/mp4"),
  });
  assert.notEqual(edited.id, source.id);
  assert.equal(edited.status, "queued");
});

test("edit without a prompt raises BadRequestError with param prompt", async () => {
  const source = await completedVideo();
  const error = await client.videos.edit({ video: { id: source.id } }).then(
    () => assert.fail("an edit without a prompt was accepted"),
    (caught) => caught,
  );
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.equal(error.param, "prompt");
});

test("extend of a completed video answers a queued video of source + extension seconds", async () => {
  const source = await completedVideo();
  const extended = await client.videos.extend({ prompt: "And then it drives off", seconds: "8", video: { id: source.id } });
  assert.notEqual(extended.id, source.id);
  assert.equal(extended.status, "queued");
  assert.equal(Number(extended.seconds), Number(source.seconds) + 8);
  assert.equal(extended.size, source.size);
});

test("extend of an unknown video raises NotFoundError", async () => {
  const error = await client.videos
    .extend({ prompt: "more", seconds: "4", video: { id: "video_does_not_exist" } })
    .then(
      () => assert.fail("an unknown video was extended"),
      (caught) => caught,
    );
  assert.ok(error instanceof OpenAI.NotFoundError, String(error));
  assert.equal(error.code, "not_found");
});

test("createCharacter from an uploaded MP4 answers {id, name, created_at}; getCharacter reads it back", async () => {
  const source = await completedVideo();
  const mp4 = await download(source.id);
  const before = Math.floor(Date.now() / 1000);
  const character = await client.videos.createCharacter({
    name: "Bessie the cow",
    video: await upload(mp4.bytes, "bessie.mp4", "video/mp4"),
  });
  assert.equal(typeof character.id, "string");
  assert.ok(character.id.length > 0);
  assert.equal(character.name, "Bessie the cow");
  assert.ok(Number.isInteger(character.created_at) && character.created_at >= before - 1, String(character.created_at));
  assert.deepEqual(await client.videos.getCharacter(character.id), character);
});

test("getCharacter of an unknown id raises NotFoundError", async () => {
  const error = await client.videos.getCharacter("char_does_not_exist").then(
    () => assert.fail("an unknown character was found"),
    (caught) => caught,
  );
  assert.ok(error instanceof OpenAI.NotFoundError, String(error));
  assert.equal(error.code, "not_found");
});
