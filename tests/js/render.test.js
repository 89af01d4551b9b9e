// Renders fixture runs (tests/fixture_runs.py -> fixture_run.json) into a DOM and checks
// what a person would see and what the buttons send. Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";
import { createRunRenderer } from "../../ascope_nb/views/static/render.js";
import widget from "../../ascope_nb/views/static/run_view.js";

const fixture = JSON.parse(readFileSync(new URL("./fixture_run.json", import.meta.url), "utf8"));

function setup(opts = {}) {
  const { document, window } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const sent = [];
  const r = createRunRenderer(el, { onCommand: (c) => sent.push(c), ...opts });
  return { document, window, el, r, sent };
}

const q = (el, sel) => [...el.querySelectorAll(sel)];
const byTestId = (el, id) => el.querySelector(`[data-testid="${id}"]`);
const click = (window, node) => node.dispatchEvent(new window.Event("click"));
const CONTROL_IDS = ["ascope-stop", "ascope-steer-input", "ascope-steer-send", "ascope-pause", "ascope-step", "ascope-resume"];

test("a finished run shows its steps, tools, arguments, results and status", () => {
  const { el, r } = setup();
  r.setEvents(fixture.run);
  const steps = q(el, "details.ascope-step");
  assert.deepEqual(steps.map((s) => s.getAttribute("data-step")), ["0", "1", "2"]);
  assert.equal(byTestId(el, "ascope-status").textContent, "completed");
  assert.match(byTestId(el, "ascope-meta").textContent, /^3 steps · 545 tokens · 13\.75s$/);

  const tool1 = el.querySelector('[data-tool-call-id="call_1"]');
  assert.equal(tool1.querySelector(".ascope-tool-name").textContent, "get_weather");
  assert.deepEqual(JSON.parse(tool1.querySelector(".ascope-args").textContent), { city: "Paris", units: "metric" });
  assert.equal(tool1.querySelector(".ascope-result").textContent, "Sunny, 21 °C");
  assert.equal(tool1.getAttribute("data-state"), "success");

  const tool2 = el.querySelector('[data-tool-call-id="call_2"]');
  assert.deepEqual(JSON.parse(tool2.querySelector(".ascope-args").textContent), { code: "print(round(21 * 9 / 5 + 32))" });
  assert.equal(tool2.querySelector(".ascope-decision").textContent, " arguments edited by you");
  assert.equal(tool2.querySelector(".ascope-decision").getAttribute("data-decision"), "edited");
  // the edit is visible in the collapsed step's summary line, in the human style
  assert.equal(steps[1].hasAttribute("open"), false);
  assert.equal(steps[1].querySelector("summary .ascope-chip").textContent, " edited run_python");
  assert.match(tool2.querySelector("img").getAttribute("src"), /^data:image\/png;base64,/);

  assert.equal(steps[0].querySelector(".ascope-thinking").textContent, "The user wants the weather.");
  assert.equal(steps[2].querySelector(".ascope-text").textContent, "It is sunny in Paris: 21 °C (70 °F).");
  assert.deepEqual(steps.map((s) => s.hasAttribute("open")), [false, false, true]);
  assert.equal(el.querySelector(".ascope-hint").textContent, " Your guidance Also give Fahrenheit");
  // the user's message is text, never markup
  assert.equal(el.querySelector("script"), null);
  assert.match(el.querySelector(".ascope-msg-input").textContent, /<script>alert/);
  for (const id of [...CONTROL_IDS, "ascope-approve", "ascope-deny", "ascope-thumbs-up", "ascope-input"])
    assert.equal(byTestId(el, id), null, `${id} must not show on a saved run`);
});

test("a live run has controls that send typed commands, each where it acts", () => {
  const { el, r, sent, window } = setup({ live: true });
  r.setEvents(fixture.live);
  assert.equal(byTestId(el, "ascope-status").textContent, "waiting approval");
  for (const id of [...CONTROL_IDS, "ascope-approve", "ascope-deny", "ascope-edit", "ascope-thumbs-up", "ascope-thumbs-down"])
    assert.ok(byTestId(el, id), `${id} is shown`);
  const enabled = () => ["stop", "pause", "step", "resume"].filter((k) => !byTestId(el, `ascope-${k}`).hasAttribute("disabled"));
  assert.deepEqual(enabled(), ["stop", "pause"]); // waiting for approval: Step/Resume do nothing
  click(window, byTestId(el, "ascope-step")); // disabled: sends nothing
  byTestId(el, "ascope-steer-input").value = "be brief";
  click(window, byTestId(el, "ascope-steer-send"));
  click(window, byTestId(el, "ascope-approve"));
  byTestId(el, "ascope-deny-reason").value = "unsafe";
  byTestId(el, "ascope-deny-reason").dispatchEvent(new window.Event("input"));
  click(window, byTestId(el, "ascope-deny"));
  assert.equal(byTestId(el, "ascope-comment"), null, "while live: thumbs only, in the controls row");
  assert.equal(byTestId(el, "ascope-thumbs-down").closest(".ascope-controls") != null, true);
  click(window, byTestId(el, "ascope-thumbs-down"));
  assert.equal(byTestId(el, "ascope-thumbs-down").getAttribute("aria-pressed"), "true");
  assert.equal(byTestId(el, "ascope-thumbs-up").getAttribute("aria-pressed"), "false");
  click(window, byTestId(el, "ascope-pause"));
  assert.equal(byTestId(el, "ascope-status").textContent, "waiting approval");
  assert.equal(el.querySelector(".ascope-notice").textContent, "pausing after this step");
  r.setSummary({ status: "paused" });
  assert.deepEqual(enabled(), ["stop", "step", "resume"]);
  click(window, byTestId(el, "ascope-step"));
  r.setSummary({ status: "running" });
  r.setSummary({ status: "paused" });
  click(window, byTestId(el, "ascope-resume"));
  r.setSummary({ status: "running" });
  assert.deepEqual(enabled(), ["stop", "pause"]);
  click(window, byTestId(el, "ascope-stop"));
  assert.equal(byTestId(el, "ascope-status").textContent, "stopping");
  assert.deepEqual(enabled(), []);
  assert.deepEqual(sent, [
    { cmd: "steer", text: "be brief" },
    { cmd: "approve", tool_call_id: "call_2" },
    { cmd: "deny", tool_call_id: "call_2", reason: "unsafe" },
    { cmd: "feedback", label: "down", comment: "" },
    { cmd: "pause" },
    { cmd: "step" },
    { cmd: "resume" },
    { cmd: "stop" },
  ]);
});

test("an ended run with a kernel takes thumbs and a comment; the comment is cleared when sent", () => {
  const { el, r, sent, window } = setup({ live: false, interactive: true });
  r.setEvents(fixture.run);
  for (const id of CONTROL_IDS) assert.equal(byTestId(el, id), null, `${id} is gone once ended`);
  const up = byTestId(el, "ascope-thumbs-up");
  assert.equal(up.getAttribute("aria-label"), "Good run");
  assert.equal(byTestId(el, "ascope-thumbs-down").getAttribute("aria-label"), "Bad run");
  assert.equal(up.querySelector("svg.ascope-icon") != null, true, "an SVG icon, not an emoji");
  assert.equal(byTestId(el, "ascope-comment").getAttribute("aria-label"), "Comment on this run");
  byTestId(el, "ascope-comment").value = "clear answer";
  click(window, up);
  assert.deepEqual(sent, [{ cmd: "feedback", label: "up", comment: "clear answer" }]);
  assert.equal(byTestId(el, "ascope-comment").value, "");
  assert.equal(byTestId(el, "ascope-thumbs-up").getAttribute("aria-pressed"), "true");
  assert.equal(byTestId(el, "ascope-thumbs-down").getAttribute("aria-pressed"), "false");
  click(window, byTestId(el, "ascope-thumbs-down")); // a later thumb does not resend the comment
  assert.deepEqual(sent[1], { cmd: "feedback", label: "down", comment: "" });
});

test("a saved run without a kernel shows the feedback given, read-only", () => {
  const { el, r } = setup();
  r.setEvents([...fixture.run, { kind: "feedback", label: "down", comment: "wrong city", ts: 99 }]);
  assert.equal(byTestId(el, "ascope-thumbs-up"), null);
  const items = q(el, ".ascope-feedback");
  assert.equal(items[items.length - 1].textContent, " Feedback: bad run · wrong city");
  assert.equal(items[items.length - 1].querySelector("svg.ascope-icon-down") != null, true);
});

test("edit arguments sends the edited input; bad JSON sends nothing", () => {
  const { el, r, sent, window } = setup({ live: true });
  r.setEvents(fixture.live);
  click(window, byTestId(el, "ascope-edit"));
  const area = byTestId(el, "ascope-edit-args");
  assert.equal(area.hasAttribute("hidden"), false);
  assert.deepEqual(JSON.parse(area.value), { code: "print(21 * 9 / 5 + 32)" });
  area.value = "{not json";
  area.dispatchEvent(new window.Event("input"));
  click(window, byTestId(el, "ascope-approve"));
  assert.deepEqual(sent, []);
  area.value = '{"code": "print(70)"}';
  area.dispatchEvent(new window.Event("input"));
  click(window, byTestId(el, "ascope-approve"));
  assert.deepEqual(sent, [{ cmd: "approve", tool_call_id: "call_2", input: { code: "print(70)" } }]);
});

test("streaming with addEvents gives the same view as setEvents; the end removes controls", () => {
  const a = setup({ live: true });
  for (const ev of fixture.run) a.r.addEvents([ev]);
  const b = setup({ live: true });
  b.r.setEvents(fixture.run);
  const text = (el) => q(el, "details.ascope-step").map((s) => s.textContent);
  assert.deepEqual(text(a.el), text(b.el));
  assert.equal(q(a.el, "details.ascope-step").length, 3);
  assert.equal(byTestId(a.el, "ascope-stop"), null);
  assert.equal(byTestId(a.el, "ascope-status").textContent, "completed");
});

test("summary traits override the status while live", () => {
  const { el, r } = setup({ live: true });
  r.setEvents(fixture.live.slice(0, 5));
  r.setSummary({ status: "paused" });
  assert.equal(byTestId(el, "ascope-status").textContent, "paused");
  r.setSummary({ live: false });
  assert.equal(byTestId(el, "ascope-stop"), null);
});

test("search hides steps that do not match", () => {
  const { el, r, window } = setup();
  r.setEvents(fixture.run);
  const search = byTestId(el, "ascope-search");
  search.value = "run_python";
  search.dispatchEvent(new window.Event("input"));
  const visible = q(el, "details.ascope-step").filter((s) => !s.hasAttribute("hidden"));
  assert.deepEqual(visible.map((s) => s.getAttribute("data-step")), ["1"]);
  search.value = "";
  search.dispatchEvent(new window.Event("input"));
  assert.equal(q(el, "details.ascope-step:not([hidden])").length, 3);
});

test("an input request shows an inline box that sends the answer", () => {
  const { el, r, sent, window } = setup({ live: true });
  r.setEvents(fixture.hub);
  const box = byTestId(el, "ascope-input");
  assert.ok(box);
  assert.equal(el.querySelector(".ascope-prompt").textContent, "Your pick?");
  box.value = "Thai";
  click(window, byTestId(el, "ascope-input-send"));
  assert.deepEqual(sent, [{ cmd: "input", request_id: "req1", text: "Thai" }]);
});

test("the anywidget adapter asks for a snapshot and renders it", () => {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const handlers = {};
  const sent = [];
  const traits = { status: "completed", live: false, interactive: false, title: "weather" };
  const model = {
    get: (k) => traits[k],
    send: (m) => sent.push(m),
    on: (name, cb) => ((handlers[name] ||= []).push(cb)),
    off: (name, cb) => (handlers[name] = (handlers[name] || []).filter((x) => x !== cb)),
  };
  const cleanup = widget.render({ model, el });
  try {
    assert.equal(sent.length, 1);
    assert.equal(sent[0].cmd, "snapshot");
    for (const cb of handlers["msg:custom"]) cb({ type: "snapshot", nonce: "other", first: true, events: [] });
    for (const cb of handlers["msg:custom"]) cb({ type: "snapshot", nonce: sent[0].nonce, first: true, done: true, events: fixture.run });
    assert.equal(q(el, "details.ascope-step").length, 3);
    assert.equal(el.querySelector(".ascope-title").textContent, "weather");
  } finally {
    cleanup();
  }
  assert.equal(el.querySelector(".ascope-root"), null);
});

test("a 10,000-step run opens quickly with lazy step bodies", () => {
  const events = [{ kind: "run_started", ts: 0, agent: "A" }];
  for (let i = 0; i < 10000; i++) {
    events.push({ kind: "step_started", reply_id: "r", step: i, ts: i, agent: "A" });
    events.push({ kind: "text_delta", reply_id: "r", msg_id: `m${i}`, block_id: "b", delta: `step ${i}` });
    events.push({ kind: "step_ended", reply_id: "r", step: i, ts: i + 0.5 });
  }
  const { el, r } = setup();
  const t0 = performance.now();
  r.setEvents(events);
  const ms = performance.now() - t0;
  assert.equal(q(el, "details.ascope-step").length, 10000);
  assert.equal(q(el, ".ascope-step-body").length, 1); // only the open (last) step has a body
  assert.ok(ms < 20000, `took ${ms} ms`);
});

test("the bundled _esm the kernel ships loads as one module (as anywidget loads it)", async () => {
  const { execFileSync } = await import("node:child_process");
  const repo = new URL("../../", import.meta.url).pathname;
  const code = execFileSync("python3", ["-c", "from ascope_nb.views._assets import bundle_esm; print(bundle_esm('run_view.js'))"], {
    cwd: repo,
    env: { ...process.env, PYTHONPATH: repo },
  }).toString();
  assert.doesNotMatch(code, /^import /m);
  const mod = await import(`data:text/javascript,${encodeURIComponent(code)}`);
  assert.equal(typeof mod.default.render, "function");
  assert.equal(typeof mod.createRunRenderer, "function");
});
