// The extension's MIME renderer draws the saved outputs of a notebook (fixtures written by
// make_fixtures.py from the real RunView / HubView / MemoryView) into a DOM. Checks what a
// person sees: steps, tool names and arguments, results, collapsed / expanded, search.
// Run: cd labextension && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { installDom, fixture, manyStepRun } from "./dom.js";

const { document, window } = installDom();
const { default: extension, MIME_TYPES } = await import("../lib/index.js");

const RUN = "application/vnd.ascope.run+json";
const HUB = "application/vnd.ascope.hub+json";
const MEMORY = "application/vnd.ascope.memory+json";

// What JupyterLab does for an output: pick the renderer by MIME type, then renderModel.
async function render(mimeType, data) {
  const renderer = extension.rendererFactory.createRenderer({ mimeType });
  document.body.append(renderer.node);
  await renderer.renderModel({ data, metadata: {}, trusted: false, setData() {} });
  return renderer;
}

const q = (el, sel) => [...el.querySelectorAll(sel)];
const text = (el) => (el ? el.textContent : null);
const expand = (details) => {
  details.setAttribute("open", "");
  details.dispatchEvent(new window.Event("toggle"));
};
const visibleSteps = (el) => q(el, "details.ascope-step").filter((s) => !s.hasAttribute("hidden"));

const runBundle = fixture("run");
const events = runBundle[RUN].events;
const calls = events.filter((e) => e.kind === "tool_call");
const results = new Map(events.filter((e) => e.kind === "tool_result").map((e) => [e.tool_call_id, e]));
const stepNumbers = [...new Set(events.filter((e) => e.kind === "step_started").map((e) => e.step))];

test("the extension registers a safe renderer for the three MIME types below text/html", () => {
  assert.deepEqual([...MIME_TYPES].sort(), [HUB, MEMORY, RUN]);
  assert.deepEqual([...extension.rendererFactory.mimeTypes].sort(), [HUB, MEMORY, RUN]);
  assert.equal(extension.rendererFactory.safe, true);
  assert.ok(extension.rank < 50 && extension.rendererFactory.defaultRank < 50);
  assert.ok(extension.rank > -10, "the live ipywidgets view (rank -10) keeps priority");
  assert.equal(extension.dataType, "json");
});

test("a saved run shows each step with its tools, arguments and results", async () => {
  const r = await render(RUN, runBundle);
  const el = r.node;
  assert.ok(el.classList.contains("jp-AscopeRenderer"));
  const steps = q(el, "details.ascope-step");
  assert.deepEqual(steps.map((s) => Number(s.getAttribute("data-step"))), stepNumbers);
  assert.deepEqual(steps.map((s) => text(s.querySelector(".ascope-step-n"))), stepNumbers.map((n) => `Step ${n + 1}`));
  assert.equal(text(el.querySelector('[data-testid="ascope-status"]')), "completed");
  assert.match(text(el.querySelector('[data-testid="ascope-meta"]')), new RegExp(`^${stepNumbers.length} steps · `));

  assert.ok(calls.length >= 3);
  for (const call of calls) {
    const node = el.querySelector(`[data-tool-call-id="${call.tool_call_id}"]`);
    assert.ok(node, `tool call ${call.tool_call_id} is shown`);
    const step = node.closest("details.ascope-step");
    assert.equal(Number(step.getAttribute("data-step")), call.step);
    assert.equal(text(node.querySelector(".ascope-tool-name")), call.name);
    assert.deepEqual(JSON.parse(text(node.querySelector(".ascope-args"))), call.input);
    const result = results.get(call.tool_call_id);
    assert.equal(text(node.querySelector(".ascope-result")), result.output.map((b) => b.text).join(""));
    assert.equal(node.getAttribute("data-state"), result.state);
  }
  // the step head names its tools; a failed tool flags the step
  const byStep = (n) => steps.find((s) => Number(s.getAttribute("data-step")) === n);
  for (const n of stepNumbers) {
    const names = calls.filter((c) => c.step === n).map((c) => c.name);
    assert.equal(text(byStep(n).querySelector(".ascope-step-tools")), names.length ? ` ${names.join(", ")}` : null);
    if (names.length) assert.ok(byStep(n).querySelector(".ascope-step-tools svg.ascope-icon-tool"), "an SVG icon, not an emoji");
    const failed = calls.some((c) => c.step === n && results.get(c.tool_call_id).state === "error");
    assert.equal(!!byStep(n).querySelector(".ascope-flag"), failed);
  }
  const thinking = events.find((e) => e.kind === "thinking_delta");
  assert.equal(text(byStep(0).querySelector(".ascope-thinking")), thinking.delta);
  r.dispose();
});

test("older steps are collapsed, the last one open; clicking a step expands it", async () => {
  const r = await render(RUN, runBundle);
  const steps = q(r.node, "details.ascope-step");
  assert.deepEqual(steps.map((s) => s.hasAttribute("open")), steps.map((_, i) => i === steps.length - 1));
  expand(steps[0]);
  assert.ok(steps[0].hasAttribute("open"));
  assert.ok(steps[0].querySelector(".ascope-step-body .ascope-tool"), "the opened step shows its tool call");
  r.dispose();
});

test("a saved run has no steering or feedback controls (no kernel behind it)", async () => {
  const r = await render(RUN, runBundle);
  r.node.ownerDocument.body.append(r.node);
  r.processMessage?.({ type: "after-attach" });
  for (const id of ["ascope-stop", "ascope-pause", "ascope-step", "ascope-resume", "ascope-steer-input", "ascope-approve", "ascope-deny", "ascope-thumbs-up", "ascope-input"])
    assert.equal(r.node.querySelector(`[data-testid="${id}"]`), null, `${id} must not show`);
  assert.equal(r.node.querySelectorAll("button").length, 0);
  r.dispose();
});

test("the search box keeps only the steps that match", async () => {
  const r = await render(RUN, runBundle);
  const search = r.node.querySelector('[data-testid="ascope-search"]');
  const failing = calls.find((c) => results.get(c.tool_call_id).state === "error");
  search.value = failing.name;
  search.dispatchEvent(new window.Event("input"));
  assert.deepEqual(visibleSteps(r.node).map((s) => Number(s.getAttribute("data-step"))), [failing.step]);
  search.value = "";
  search.dispatchEvent(new window.Event("input"));
  assert.equal(visibleSteps(r.node).length, stepNumbers.length);
  r.dispose();
});

test("a display update redraws the run instead of appending to it", async () => {
  const r = await render(RUN, runBundle);
  const shorter = events.filter((e) => e.kind !== "step_started" || e.step === 0);
  await r.renderModel({ data: { ...runBundle, [RUN]: { version: 1, events: shorter } }, metadata: {}, trusted: false, setData() {} });
  assert.equal(q(r.node, "details.ascope-step").length, 1);
  assert.equal(q(r.node, ".ascope-root").length, 1);
  r.dispose();
  assert.equal(r.node.querySelector(".ascope-root"), null);
});

test("a payload of another version says so instead of failing", async () => {
  const r = await render(RUN, { [RUN]: { version: 99, events: [] } });
  assert.match(text(r.node.querySelector(".jp-AscopeRenderer-error")), /unsupported version 99/);
  assert.equal(r.node.querySelector("details"), null);
  const m = await render(MEMORY, { [MEMORY]: { version: 1, rows: "nope" } });
  assert.match(text(m.node.querySelector(".jp-AscopeRenderer-error")), /"rows" must be a list/);
});

test("a saved hub is a chat with one bubble per reply and who saw it", async () => {
  const bundle = fixture("hub");
  const hubEvents = bundle[HUB].events;
  const r = await render(HUB, bundle);
  const replies = hubEvents.filter((e) => e.kind === "message_completed");
  const bubbles = q(r.node, ".ascope-hub .ascope-bubble");
  assert.deepEqual(bubbles.map((b) => b.getAttribute("data-agent")), replies.map((e) => e.msg.name));
  assert.deepEqual(bubbles.map((b) => text(b.querySelector(".ascope-text"))), replies.map((e) => e.msg.content[0].text));
  const observed = hubEvents.filter((e) => e.kind === "message_observed");
  for (const ev of observed) {
    const bubble = bubbles.find((b) => b.getAttribute("data-agent") === ev.msg.name);
    assert.match(text(bubble), new RegExp(`seen by ${ev.observer}`));
  }
});

test("a saved hub shows who talks to whom (the live HubView's graph), replayable by round", async () => {
  const bundle = fixture("hub");
  const hubEvents = bundle[HUB].events;
  const r = await render(HUB, bundle);
  const graph = r.node.querySelector('[data-testid="ascope-hub-graph"]');
  assert.ok(graph, "the hub graph is drawn under the chat");
  assert.equal(q(r.node, '[data-testid="ascope-hub-graph"]').length, 1);
  // one node per agent that spoke or heard, one edge per speaker -> listener
  const speakers = hubEvents.filter((e) => e.kind === "message_completed").map((e) => e.msg.name);
  const heard = hubEvents.filter((e) => e.kind === "message_observed");
  const nodes = q(graph, "circle[data-node]").map((c) => c.getAttribute("data-node"));
  for (const name of [...speakers, ...heard.map((e) => e.observer)]) assert.ok(nodes.includes(name), `${name} is a node`);
  const edges = q(graph, "line[data-edge]").map((l) => l.getAttribute("data-edge")).sort();
  const expected = [...new Set(heard.map((e) => `${e.msg.name}->${e.observer}`))].sort();
  assert.deepEqual(edges, expected);
  // the round slider replays: round 0 is before the first reply (no reply edges yet)
  const slider = graph.querySelector('[data-testid="ascope-hub-round"]');
  assert.ok(Number(slider.max) >= 1);
  assert.match(text(graph.querySelector('[data-testid="ascope-hub-round-label"]')), new RegExp(`^round ${slider.max} of ${slider.max}`));
  slider.value = "0";
  slider.dispatchEvent(new window.Event("input"));
  assert.match(text(graph.querySelector('[data-testid="ascope-hub-round-label"]')), /^round 0 of /);
  assert.ok(q(graph, "line[data-edge]").length < expected.length);
  r.dispose();
  assert.equal(r.node.querySelector('[data-testid="ascope-hub-graph"]'), null, "dispose removes the graph");
});

test("a saved run (not a hub) has no hub graph", async () => {
  const r = await render(RUN, runBundle);
  assert.equal(r.node.querySelector('[data-testid="ascope-hub-graph"]'), null);
});

test("a saved memory is a table with one row per message", async () => {
  const bundle = fixture("memory");
  const rows = bundle[MEMORY].rows;
  const r = await render(MEMORY, bundle);
  const body = q(r.node, "tbody tr");
  assert.equal(body.length, rows.length);
  const headers = q(r.node, "th").map((th) => th.textContent.replace(/[▲▼\s]+$/u, ""));
  const col = (name) => headers.indexOf(name);
  assert.ok(col("name") >= 0 && col("text") >= 0);
  assert.deepEqual(body.map((tr) => tr.children[col("name")].textContent), rows.map((row) => row.name));
  assert.deepEqual(body.map((tr) => tr.children[col("text")].textContent), rows.map((row) => row.text));
});

test("a 1,000-step saved run renders every step; only the open one is built eagerly", async () => {
  // its own run id: a person's open/close is remembered per run id within a page
  const big = manyStepRun(events, 1000).map((e) => ({ ...e, run_id: "run-1000-steps" }));
  const r = await render(RUN, { [RUN]: { version: 1, events: big } });
  const steps = q(r.node, "details.ascope-step");
  assert.equal(steps.length, 1000);
  assert.deepEqual(steps.slice(0, 3).map((s) => Number(s.getAttribute("data-step"))), [0, 1, 2]);
  assert.equal(q(r.node, ".ascope-step-body").length, 1);
  expand(steps[500]);
  assert.equal(Number(steps[500].querySelector(".ascope-tool").closest("details").getAttribute("data-step")), 500);
  r.dispose();
});

test("a saved remote (A2A) run keeps its remote badges and offers no fork and no controls", async () => {
  const remote = "10.1.2.3:9999";
  const why = `the remote A2A agent 'Friday' at ${remote} takes no guidance, Pause or Step`;
  const remoteEvents = events.map((e) => (e.kind === "reply_started" ? { ...e, remote, unsteerable: why } : e));
  const r = await render(RUN, { ...runBundle, [RUN]: { ...runBundle[RUN], events: remoteEvents } });
  const el = r.node;
  const steps = q(el, "details.ascope-step");
  assert.ok(steps.length >= 2);
  for (const s of steps) assert.equal(text(s.querySelector('[data-testid="ascope-remote"]')), `remote · ${remote}`);
  assert.equal(q(el, '[data-testid="ascope-fork"]').length, 0, "a remote step is never forked");
  assert.equal(q(el, '[data-testid="ascope-pause"], [data-testid="ascope-steer-send"]').length, 0);
  r.dispose();
});
