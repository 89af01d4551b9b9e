// Audio and images made by tools show in the live view: a player / an image for audio/* and
// image/* data or http(s) URLs, nothing executable otherwise.
// Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { blocksNodes } from "../../ascope_nb/views/static/dom.js";

const { document } = parseHTML("<!doctype html><html><body></body></html>");

test("base64 audio becomes a player, a URL too", () => {
  const [data, url] = blocksNodes(document, [
    { type: "audio", source: { type: "base64", media_type: "audio/mpeg", data: "SUQz" } },
    { type: "audio", source: { type: "url", url: "https://example.com/a.wav" } },
  ]);
  assert.equal(data.tagName.toLowerCase(), "audio");
  assert.equal(data.getAttribute("src"), "data:audio/mpeg;base64,SUQz");
  assert.equal(data.hasAttribute("controls"), true);
  assert.equal(url.getAttribute("src"), "https://example.com/a.wav");
});

test("audio of another media type or a javascript URL is not played", () => {
  const nodes = blocksNodes(document, [
    { type: "audio", source: { type: "base64", media_type: "text/html", data: "PHNjcmlwdD4=" } },
    { type: "audio", source: { type: "url", url: "javascript:alert(1)" } },
  ]);
  assert.deepEqual(nodes.map((n) => n.tagName.toLowerCase()), ["pre", "pre"]);
  assert.deepEqual(nodes.map((n) => n.textContent), ["[audio]", "[audio]"]);
});
