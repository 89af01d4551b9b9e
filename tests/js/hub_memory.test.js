// Hub chat layout and memory table, rendered into a DOM. Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { createHubRenderer } from "../../ascope_nb/views/static/render.js";
import { createMemoryRenderer } from "../../ascope_nb/views/static/memory.js";
import { agentColor } from "../../ascope_nb/views/static/dom.js";

const fixture = JSON.parse(readFileSync(new URL("./fixture_run.json", import.meta.url), "utf8"));
const dom = () => parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
const q = (el, sel) => [...el.querySelectorAll(sel)];

test("a hub is a chat: one bubble per reply, coloured per agent, with observers", () => {
  const { document } = dom();
  const el = document.getElementById("app");
  const r = createHubRenderer(el, {});
  r.setEvents(fixture.hub);
  const bubbles = q(el, ".ascope-bubble");
  assert.deepEqual(bubbles.map((b) => b.getAttribute("data-agent")), ["Alice", "Bob"]);
  assert.deepEqual(bubbles.map((b) => b.querySelector(".ascope-text").textContent), ["Let us try Thai.", "Fine by me!"]);
  assert.deepEqual(bubbles.map((b) => b.querySelector(".ascope-muted").textContent), [" seen by Bob", " seen by Alice"]);
  assert.notEqual(agentColor("Alice"), agentColor("Bob"));
  assert.equal(bubbles[0].querySelector(".ascope-agent").style.getPropertyValue("color"), agentColor("Alice"));
  // the topic is shown as text
  assert.equal(el.querySelector(".ascope-msg-input .ascope-pre").textContent, "Topic: pick a <b>restaurant</b>");
  assert.equal(q(el, "details").length, 0);
});

const ROWS = [
  { index: 0, id: "a", name: "user", role: "user", text: "hello", marks: ["hint"], timestamp: "2025-01-01 00:00:02" },
  { index: 1, id: "b", name: "Friday", role: "assistant", text: "zebra", marks: [], timestamp: "2025-01-01 00:00:01" },
  { index: 2, id: "c", name: "Alice", role: "assistant", text: "apple", marks: [], timestamp: "2025-01-01 00:00:03" },
];

test("the memory table sorts by a clicked column and filters by search", () => {
  const { document, window } = dom();
  const el = document.getElementById("app");
  const t = createMemoryRenderer(el, { title: "Friday" });
  t.setRows(ROWS);
  const ids = () => q(el, "tbody tr").map((tr) => tr.getAttribute("data-msg-id"));
  const header = (key) => el.querySelector(`th[data-sort-key="${key}"]`);
  assert.deepEqual(q(el, "th").map((th) => th.getAttribute("data-sort-key")), ["index", "name", "role", "text", "marks", "timestamp"]);
  assert.deepEqual(ids(), ["a", "b", "c"]);
  header("text").dispatchEvent(new window.Event("click"));
  assert.deepEqual(ids(), ["c", "a", "b"]);
  assert.equal(header("text").getAttribute("aria-sort"), "ascending");
  header("text").dispatchEvent(new window.Event("click"));
  assert.deepEqual(ids(), ["b", "a", "c"]);
  header("timestamp").dispatchEvent(new window.Event("click"));
  assert.deepEqual(ids(), ["b", "a", "c"].sort((x, y) => ROWS.find((r) => r.id === x).timestamp.localeCompare(ROWS.find((r) => r.id === y).timestamp)));
  const search = el.querySelector('[data-testid="ascope-memory-search"]');
  search.value = "assistant";
  search.dispatchEvent(new window.Event("input"));
  assert.deepEqual(ids().sort(), ["b", "c"]);
  assert.equal(el.querySelector('[data-testid="ascope-memory-count"]').textContent, "2 of 3 messages");
  assert.equal(q(el, "tbody tr")[0].querySelector(".ascope-cell-marks").textContent, "");
});
