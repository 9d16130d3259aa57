// The video lifecycle through the official openai npm package: create with an upload, poll,
// download all three variants, auto-paginated list, remix, delete.
import assert from "node:assert/strict";
import { test } from "node:test";

import OpenAI from "openai";

import { client, createVideo, download, poll } from "./mock.mjs";

test("create with an image upload answers a queued video with the asked fields", async () => {
  const video = await createVideo({ renderSeconds: 30 });
  assert.match(video.id, /^video_/);
  assert.equal(video.object, "video");
  assert.equal(video.status, "queued");
  assert.equal(video.model, "sora-2");
  assert.equal(video.seconds, "4");
  assert.equal(video.size, "1280x720");
});

test("polling with retrieve reaches completed, honouring openai-poll-after-ms", async () => {
  const created = await createVideo({ renderSeconds: 1 });
  assert.equal(created.status, "queued");
  const { video, polls } = await poll(created);
  assert.ok(polls >= 1, "the video was completed without a single retrieve");
  assert.equal(video.id, created.id);
  assert.equal(video.status, "completed");
  assert.equal(video.progress, 100);
  assert.equal(typeof video.completed_at, "number");
});

test("downloadContent serves the MP4, the WebP thumbnail and the JPEG spritesheet", async () => {
  const { video } = await poll(await createVideo());
  const mp4 = await download(video.id);
  assert.equal(mp4.type, "video/mp4");
  assert.equal(mp4.bytes.subarray(4, 8).toString("latin1"), "ftyp");
  const thumbnail = await download(video.id, "thumbnail");
  assert.equal(thumbnail.type, "image/webp");
  assert.equal(thumbnail.bytes.subarray(0, 4).toString("latin1"), "RIFF");
  assert.equal(thumbnail.bytes.subarray(8, 12).toString("latin1"), "WEBP");
  const spritesheet = await download(video.id, "spritesheet");
  assert.equal(spritesheet.type, "image/jpeg");
  assert.deepEqual([...spritesheet.bytes.subarray(0, 2)], [0xff, 0xd8]);
});

test("downloadContent before completion raises BadRequestError video_not_ready", async () => {
  const video = await createVideo({ renderSeconds: 30 });
  const error = await client.videos.downloadContent(video.id).then(
    () => assert.fail("a queued video's content was served"),
    (caught) => caught,
  );
  assert.ok(error instanceof OpenAI.BadRequestError, String(error));
  assert.equal(error.code, "video_not_ready");
});

test("for await over list({limit: 2}) follows the pages until every video is seen", async () => {
  const created = [];
  for (let i = 0; i < 3; i += 1) created.push((await createVideo()).id);
  const first = await client.videos.list({ limit: 2 });
  assert.equal(first.data.length, 2);
  assert.equal(first.has_more, true, "three new videos fit in one page of two");
  const seen = new Set();
  for await (const video of client.videos.list({ limit: 2 })) {
    assert.ok(!seen.has(video.id), `${video.id} came twice`);
    seen.add(video.id);
  }
  for (const id of created) assert.ok(seen.has(id), `${id} was not listed`);
});

test("remix of a completed video answers a new queued video remixed from it", async () => {
  const { video } = await poll(await createVideo());
  const remix = await client.videos.remix(video.id, { prompt: "Now in the rain" });
  assert.notEqual(remix.id, video.id);
  assert.equal(remix.status, "queued");
  assert.equal(remix.remixed_from_video_id, video.id);
});

test("delete answers video.deleted, and the video is gone (NotFoundError)", async () => {
  const video = await createVideo();
  const deleted = await client.videos.delete(video.id);
  assert.deepEqual(deleted, { id: video.id, object: "video.deleted", deleted: true });
  const error = await client.videos.retrieve(video.id).then(
    () => assert.fail("a deleted video was retrieved"),
    (caught) => caught,
  );
  assert.ok(error instanceof OpenAI.NotFoundError, String(error));
  assert.equal(error.status, 404);
  assert.equal(error.code, "not_found");
  assert.equal(error.param, "video_id");
});
