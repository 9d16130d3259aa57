// The request journal page: polls /__admin/feed and renders each journaled request.
// Plain DOM, no framework, no build step. Every value from a request is set with textContent
// (never innerHTML), so whatever a client sent is shown, not run.
"use strict";

(function () {
  const POLL_MS = 1000;
  const MAX_ROWS = 200;
  const VARIANTS = ["video", "thumbnail", "spritesheet"];

  const list = document.getElementById("entries");
  const template = document.getElementById("entry-template");
  const empty = document.getElementById("empty");
  const statusLine = document.getElementById("status");
  const pathFilter = document.getElementById("path-filter");
  const pauseButton = document.getElementById("pause");

  const rows = new Map(); // journal entry id -> <li>
  let lastId = 0;
  let videos = {};
  let paused = false;
  let timer = null;
  let firstLoad = true;
  let generation = 0; // bumped by "clear": answers to polls sent before it are stale
  let inFlight = false;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function show(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  function bytes(size) {
    if (size < 1024) return size + " B";
    if (size < 1024 * 1024) return (size / 1024).toFixed(1) + " KB";
    return (size / (1024 * 1024)).toFixed(2) + " MB";
  }

  function clock(seconds) {
    const date = new Date(seconds * 1000);
    const pad = (n, w) => String(n).padStart(w || 2, "0");
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) + "." + pad(date.getMilliseconds(), 3);
  }

  function table(target, pairs, badNames) {
    target.replaceChildren();
    for (const [name, value] of pairs) {
      const tr = el("tr");
      tr.append(el("td", "name", name), el("td", "value" + (badNames && badNames.has(name) ? " bad" : ""), show(value)));
      target.append(tr);
    }
  }

  function renderProblems(node, entry) {
    const target = node.querySelector(".problems");
    for (const problem of entry.problems || []) {
      const li = el("li", "problem");
      li.dataset.param = problem.param || "";
      li.append(el("span", "param", problem.param || "(request)"), ": ", el("span", "message", problem.message));
      li.append(el("span", "pcode", problem.code));
      target.append(li);
    }
  }

  // Through the proxy (sora-mock --proxy) the relay's answer has its own verdict; a replay marks its answers.
  function renderResponseVerdict(node, entry) {
    const badge = node.querySelector(".response-verdict");
    if (entry.response_verdict) {
      badge.hidden = false;
      badge.textContent = "response " + entry.response_verdict;
      badge.classList.add(entry.response_verdict);
      badge.title = "the relay " + entry.proxied + " answered";
    } else if (entry.replayed) {
      badge.hidden = false;
      badge.textContent = "replayed";
      badge.classList.add("replayed");
      badge.title = "answered as the recorded relay did";
    }
    const target = node.querySelector(".violations");
    for (const item of entry.violations || []) {
      const li = el("li", "violation");
      li.append(el("span", "param", "response"), ": ", el("span", "message", item.message));
      li.append(el("span", "pcode", item.check));
      target.append(li);
    }
  }

  function renderFields(node, entry, badNames) {
    const pairs = Object.entries(entry.fields || {});
    // A field the contract missed is listed too, where the developer looks for it.
    const sent = new Set([...pairs.map(([name]) => name), ...(entry.files || []).map((f) => f.param)]);
    for (const problem of entry.problems || []) {
      if (problem.param && !sent.has(problem.param) && problem.code === "missing_required_parameter") {
        pairs.push([problem.param, "(not sent)"]);
        sent.add(problem.param);
      }
    }
    const box = node.querySelector(".fields-box");
    if (!pairs.length) {
      box.querySelector(".fields").replaceWith(el("p", "muted", entry.verdict === "-" ? "no body checked" : "none"));
      return;
    }
    table(box.querySelector(".fields"), pairs, badNames);
  }

  function renderFiles(node, entry, badNames) {
    const target = node.querySelector(".files");
    const files = entry.files || [];
    if (!files.length) target.append(el("p", "muted", "none"));
    for (const file of files) {
      const item = el("div", "file" + (badNames.has(file.param) ? " bad" : ""));
      const url = entry.previews && entry.previews[file.param];
      if (url) {
        const img = el("img");
        img.src = url;
        img.alt = "preview of " + file.filename;
        img.loading = "lazy";
        img.addEventListener("error", () => img.replaceWith(el("div", "noimg", "no preview")));
        item.append(img);
      } else {
        item.append(el("div", "noimg", "no preview"));
      }
      const meta = el("div", "meta");
      meta.append(
        el("div", "fname", file.filename || "(no name)"),
        el("div", "muted", (file.content_type || "no type") + " · " + bytes(file.size)),
        el("div", "muted", "field " + file.param),
      );
      item.append(meta);
      target.append(item);
    }
  }

  function renderVideo(node) {
    const target = node.querySelector(".video");
    const entry = node._entry;
    target.replaceChildren();
    if (!entry.video_id) {
      target.append(el("p", "muted", entry.verdict === "rejected" ? "none: the request was rejected" : "none"));
      return;
    }
    const video = videos[entry.video_id] || { status: "unknown" };
    const line = el("div");
    line.append(el("code", "vid", entry.video_id));
    target.append(line);
    if (entry.source_video_id) {  // a remix, edit or extension: the video it was made from
      const source = el("div", "source");
      source.append("from ", el("code", "source-vid", entry.source_video_id));
      target.append(source);
    }
    const state = el("div");
    state.append(el("span", "state " + video.status, video.status));
    if (video.status === "in_progress" && video.progress !== undefined) state.append(" " + video.progress + "%");
    target.append(state);
    const links = el("div", "links");
    if (video.status === "completed") {
      for (const variant of VARIANTS) {
        const a = el("a", "content", variant);
        a.href = "/__admin/videos/" + encodeURIComponent(entry.video_id) + "/content?variant=" + variant;
        a.target = "_blank";
        a.rel = "noopener";
        links.append(a);
      }
    } else if (video.status !== "deleted" && video.status !== "failed") {
      links.append(el("span", "muted", "content once completed"));
    }
    target.append(links);
  }

  function render(entry) {
    const node = template.content.firstElementChild.cloneNode(true);
    node._entry = entry;
    node.dataset.id = entry.id;
    node.dataset.verdict = entry.verdict;
    node.dataset.path = entry.path;
    node.classList.add(entry.verdict === "-" ? "other" : entry.verdict);
    const badNames = new Set((entry.problems || []).map((p) => p.param).filter(Boolean));

    node.querySelector(".verdict").textContent = entry.verdict === "-" ? "not checked" : entry.verdict;
    node.querySelector(".method").textContent = entry.method;
    node.querySelector(".path").textContent = entry.path + (entry.query ? "?" + entry.query : "");
    const code = node.querySelector(".code");
    code.textContent = entry.status;
    if (entry.status >= 400) code.classList.add("err");
    const time = node.querySelector(".time");
    time.textContent = clock(entry.time);
    time.dateTime = new Date(entry.time * 1000).toISOString();
    node.querySelector(".duration").textContent = entry.duration_ms + " ms";

    renderProblems(node, entry);
    renderResponseVerdict(node, entry);
    renderFields(node, entry, badNames);
    renderFiles(node, entry, badNames);
    renderVideo(node);

    node.querySelector(".response-status").textContent = entry.status;
    node.querySelector(".response pre").textContent = JSON.stringify(entry.response, null, 2);
    table(node.querySelector(".headers table"), Object.entries(entry.headers || {}));
    return node;
  }

  function selectedVerdict() {
    return document.querySelector("input[name=verdict]:checked").value;
  }

  function applyFilters() {
    const verdict = selectedVerdict();
    const path = pathFilter.value.trim().toLowerCase();
    let visible = 0;
    for (const node of rows.values()) {
      const hide = (verdict !== "all" && node.dataset.verdict !== verdict) ||
        (path && !node.dataset.path.toLowerCase().includes(path));
      node.hidden = hide;
      if (!hide) visible += 1;
    }
    empty.hidden = visible > 0;
    empty.textContent = rows.size ? "No request matches the filters." :
      "No requests yet. Send one to this server (for example POST /v1/videos) and it appears here.";
  }

  function drop(keep) {
    for (const [id, node] of rows) {
      if (!keep(id)) {
        node.remove();
        rows.delete(id);
      }
    }
  }

  function merge(feed) {
    if (feed.first_id === null) drop(() => false);
    else drop((id) => id >= feed.first_id);
    videos = feed.videos || {};
    for (const entry of feed.data) {
      if (rows.has(entry.id)) continue;
      const node = render(entry);
      if (!firstLoad) node.classList.add("new");
      rows.set(entry.id, node);
      list.prepend(node);
      lastId = Math.max(lastId, entry.id);
    }
    while (rows.size > MAX_ROWS) {
      const oldest = Math.min(...rows.keys());
      rows.get(oldest).remove();
      rows.delete(oldest);
    }
    for (const node of rows.values()) {
      if (node._entry.video_id) renderVideo(node);
    }
    firstLoad = false;
    applyFilters();
  }

  async function poll() {
    timer = null;
    if (paused || inFlight) return;
    inFlight = true;
    const sent = generation;
    try {
      const response = await fetch("/__admin/feed?after=" + lastId, { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const feed = await response.json();
      inFlight = false;
      if (sent !== generation) {
        timer = setTimeout(poll, 0);
        return;
      }
      if (feed.last_id !== null && feed.last_id < lastId) { // another journal (a restarted mock): start over
        drop(() => false);
        lastId = 0;
        timer = setTimeout(poll, 0);
        return;
      }
      merge(feed);
      statusLine.classList.remove("offline");
      statusLine.textContent = "live · " + rows.size + " request" + (rows.size === 1 ? "" : "s") + " · updated " + clock(Date.now() / 1000);
    } catch (error) {
      inFlight = false;
      statusLine.classList.add("offline");
      statusLine.textContent = "cannot reach the mock (" + error.message + "); retrying…";
    }
    if (!paused) timer = setTimeout(poll, POLL_MS);
  }

  function pollNow() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    poll();
  }

  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  for (const radio of document.querySelectorAll("input[name=verdict]")) radio.addEventListener("change", applyFilters);
  pathFilter.addEventListener("input", applyFilters);
  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.setAttribute("aria-pressed", String(paused));
    pauseButton.textContent = paused ? "resume" : "pause";
    if (paused) statusLine.textContent = "paused";
    else pollNow();
  });
  document.getElementById("clear").addEventListener("click", async () => {
    try {
      const response = await fetch("/__admin/requests", { method: "DELETE" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      generation += 1;
      drop(() => false);
      applyFilters();
    } catch (error) {
      statusLine.textContent = "could not clear the journal (" + error.message + ")";
    }
    pollNow();
  });

  pollNow();
})();
