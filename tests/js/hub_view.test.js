// The hub view at nine agents: each message once (with who saw it) and the who-talks-to-whom
// graph, replayable by round. Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { createHubRenderer } from "../../ascope_nb/views/static/render.js";
import { createFold } from "../../ascope_nb/views/static/fold.js";
import { hubTurns, withHubGraph } from "../../ascope_nb/views/static/hub_graph.js";

const { events } = JSON.parse(readFileSync(new URL("./fixture_hub9.json", import.meta.url), "utf8"));
const PLAYERS = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"];
const dom = () => parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
const q = (el, sel) => [...el.querySelectorAll(sel)];
const others = (name) => PLAYERS.filter((p) => p !== name).join(", ");

test("the announcement and the topic show once each, seen by all nine", () => {
  const { document } = dom();
  const el = document.getElementById("app");
  const r = createHubRenderer(el, {});
  r.setEvents(events);
  const rows = q(el, ".ascope-msg");
  assert.deepEqual(rows.map((m) => m.querySelector(".ascope-agent").textContent), ["Host", "user"]);
  for (const row of rows) assert.equal(row.querySelector(".ascope-muted").textContent, ` seen by ${PLAYERS.join(", ")}`);
  const bubbles = q(el, ".ascope-bubble");
  assert.equal(bubbles.length, 18);
  assert.deepEqual(bubbles.slice(0, 9).map((b) => b.getAttribute("data-agent")), PLAYERS);
  for (const b of bubbles) assert.equal(b.querySelector(".ascope-muted").textContent, ` seen by ${others(b.getAttribute("data-agent"))}`);
});

test("streamed one event at a time, the rows are the same (no duplicate after the fact)", () => {
  const { document } = dom();
  const el = document.getElementById("app");
  const r = createHubRenderer(el, {});
  for (const ev of events) r.addEvents([ev]);
  assert.equal(q(el, ".ascope-msg").length, 2);
  assert.equal(q(el, ".ascope-bubble").length, 18);
});

test("turns: opening in round 0, each player once per round", () => {
  const fold = createFold();
  for (const ev of events) fold.add(ev);
  const turns = hubTurns(fold.items);
  assert.equal(turns.length, 20);
  assert.deepEqual(turns.slice(0, 2).map((t) => [t.speaker, t.round, t.reply]), [["Host", 0, false], ["user", 0, false]]);
  assert.deepEqual(turns.slice(2).map((t) => t.round), [...Array(9).fill(1), ...Array(9).fill(2)]);
  assert.deepEqual(turns[2].observers, PLAYERS.slice(1));
});

test("the graph replays by round: edges grow, the slider moves, the last speaker is marked", () => {
  const { document, window } = dom();
  const el = document.getElementById("app");
  const r = withHubGraph(createHubRenderer)(el, {});
  r.setEvents(events);
  const graph = el.querySelector('[data-testid="ascope-hub-graph"]');
  assert.ok(graph);
  assert.equal(q(graph, "circle").length, 11); // Host, user and nine players
  assert.equal(q(graph, "line").length, 18 + 72);
  assert.equal(graph.querySelector('line[data-edge="P1->P2"]').getAttribute("data-count"), "2");
  assert.equal(graph.querySelector('[data-testid="ascope-hub-round-label"]').textContent, "round 2 of 2 · 20 of 20 messages");
  const slider = graph.querySelector('[data-testid="ascope-hub-round"]');
  slider.value = "0";
  slider.dispatchEvent(new window.Event("input"));
  assert.equal(q(graph, "line").length, 18); // only the opening: Host and user to each player
  assert.equal(graph.querySelector('[data-testid="ascope-hub-round-label"]').textContent, "round 0 of 2 · 2 of 20 messages");
  slider.value = "1";
  slider.dispatchEvent(new window.Event("input"));
  assert.equal(graph.querySelector('line[data-edge="P1->P2"]').getAttribute("data-count"), "1");
  assert.equal(graph.querySelector('circle[data-node="P9"]').getAttribute("r"), "10"); // spoke last in round 1
  r.destroy();
  assert.equal(el.querySelector('[data-testid="ascope-hub-graph"]'), null);
});

test("a hub with no turns draws an empty graph, not an error", () => {
  const { document } = dom();
  const el = document.getElementById("app");
  const r = withHubGraph(createHubRenderer)(el, {});
  r.setEvents([]);
  assert.equal(q(el, "line").length, 0);
  assert.equal(el.querySelector('[data-testid="ascope-hub-round-label"]').textContent, "round 0 of 0 · 0 of 0 messages");
});
