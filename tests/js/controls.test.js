// The run controls' state machine (controls.js) and step collapsing (collapse.js), alone and
// inside the renderer. Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { parseHTML } from "linkedom";
import { controlState, press, settle, phaseOf } from "../../ascope_nb/views/static/controls.js";
import { createCollapse, autoOpen } from "../../ascope_nb/views/static/collapse.js";
import { createRunRenderer } from "../../ascope_nb/views/static/render.js";

const on = (s) => Object.keys(s.enabled).filter((k) => s.enabled[k]);

test("each button is enabled only in the states where it acts", () => {
  assert.deepEqual(on(controlState({ status: "running", live: true })), ["stop", "pause", "steer"]);
  assert.deepEqual(on(controlState({ status: "paused", live: true })), ["stop", "step", "resume", "steer"]);
  assert.deepEqual(on(controlState({ status: "waiting_approval", live: true })), ["stop", "pause", "steer"]);
  assert.deepEqual(on(controlState({ status: "waiting_input", live: true })), ["stop"]);
  assert.deepEqual(on(controlState({ status: "completed", live: false })), []);
  assert.deepEqual(on(controlState({ status: "running", live: false })), [], "not live is ended whatever the status");
  assert.equal(phaseOf("idle", true), "running");
});

test("Pause is acknowledged at once and settles when the run holds", () => {
  let pending = press(null, "pause");
  let s = controlState({ status: "running", live: true, pending });
  assert.equal(s.notice, "pausing after this step");
  assert.equal(s.label, "pausing");
  assert.deepEqual(on(s), ["stop", "resume", "steer"], "Resume cancels a pending pause");
  const waiting = controlState({ status: "waiting_approval", live: true, pending });
  assert.equal(waiting.label, null, "the pill keeps saying it waits for approval");
  assert.equal(waiting.notice, "pausing after this step");
  pending = settle(pending, "running", true);
  assert.equal(pending, "pause", "still running: still pausing");
  pending = settle(pending, "paused", true);
  assert.equal(pending, null);
  s = controlState({ status: "paused", live: true, pending });
  assert.match(s.notice, /^paused/);
  assert.equal(s.label, null);
});

test("Step runs one step and holds again; Resume runs freely", () => {
  let pending = press(null, "step");
  assert.equal(controlState({ status: "paused", live: true, pending }).notice, "running one step, then holding");
  pending = settle(pending, "running", true);
  assert.equal(pending, "stepping");
  assert.equal(controlState({ status: "running", live: true, pending }).enabled.step, false);
  pending = settle(pending, "paused", true);
  assert.equal(pending, null);
  pending = settle(press(pending, "resume"), "running", true);
  assert.equal(pending, null);
});

test("Stop shows stopping until the run ends and nothing undoes it", () => {
  let pending = press(null, "stop");
  for (const status of ["running", "paused", "waiting_approval"]) {
    const s = controlState({ status, live: true, pending });
    assert.equal(s.label, "stopping");
    assert.equal(s.notice, "stopping…");
    assert.deepEqual(on(s), []);
  }
  assert.equal(press(pending, "resume"), "stop");
  pending = settle(pending, "running", true);
  assert.equal(pending, "stop");
  assert.equal(settle(pending, "interrupted", false), null);
  assert.equal(controlState({ status: "interrupted", live: false, pending: "stop" }).label, null);
});

const step = (n, extra = {}) => ({ uid: n + 1, reply_id: "r", step: n, tool_calls: [], ...extra });

test("collapse rule: the last step and a step waiting for approval are open", () => {
  const a = step(0), b = step(1), c = step(2);
  assert.equal(autoOpen(a, c), false);
  assert.equal(autoOpen(c, c), true);
  const waiting = step(1, { tool_calls: [{ approval: { decision: "pending" } }] });
  assert.equal(autoOpen(waiting, c), true);
  assert.equal(autoOpen(b, c), false);
});

test("a toggle event caused by the renderer is not counted as the person's", () => {
  const c = createCollapse();
  const a = step(0), b = step(1);
  c.shown(a.uid, true); // the renderer opened step 0 (it was last)
  assert.equal(c.toggled(a.uid, a, true), false, "the async toggle of our own open");
  c.shown(a.uid, false); // a new step came: the renderer closed step 0
  assert.equal(c.toggled(a.uid, a, false), false);
  assert.equal(c.isOpen(a, b), false);
  assert.equal(c.toggled(a.uid, a, true), true, "the person opened it");
  assert.equal(c.isOpen(a, b), true, "and it stays open while new steps come");
  assert.equal(c.toggled(b.uid, b, false), true, "the person closed the last step");
  assert.equal(c.isOpen(b, b), false);
});

test("a person's choices survive the view being replaced (same run id)", () => {
  const first = createCollapse("run-x");
  const a = step(0), b = step(1);
  first.shown(a.uid, false);
  first.toggled(a.uid, a, true);
  const second = createCollapse("run-x");
  assert.equal(second.isOpen(a, b), true);
  assert.equal(createCollapse("run-y").isOpen(a, b), false);
});

function live(events) {
  const { document, window } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const r = createRunRenderer(el, { live: true, onCommand: () => {} });
  r.addEvents(events);
  return { el, r, window };
}

const ev = (kind, extra = {}) => ({ kind, run_id: "run-live", reply_id: "r", agent: "A", ts: 1, ...extra });
const stepEvents = (n) => [ev("step_started", { step: n }), ev("model_call_started", { msg_id: `m${n}` }), ev("text_delta", { msg_id: `m${n}`, delta: `thought ${n}` }), ev("step_ended", { step: n })];
const openSteps = (el) => [...el.querySelectorAll("details.ascope-step")].map((d) => d.hasAttribute("open"));

test("in the renderer: steps collapse while live although toggle events come late", () => {
  const { el, r, window } = live([ev("run_started"), ...stepEvents(0)]);
  const fireToggles = () => el.querySelectorAll("details.ascope-step").forEach((d) => d.dispatchEvent(new window.Event("toggle")));
  fireToggles(); // Chromium fires "toggle" after the renderer's change, asynchronously
  r.addEvents(stepEvents(1));
  fireToggles();
  r.addEvents(stepEvents(2));
  fireToggles();
  assert.deepEqual(openSteps(el), [false, false, true]);
  // the person opens step 1: it stays open, new steps still collapse the old last one
  const d1 = el.querySelectorAll("details.ascope-step")[1];
  d1.setAttribute("open", "");
  d1.dispatchEvent(new window.Event("toggle"));
  r.addEvents(stepEvents(3));
  fireToggles();
  assert.deepEqual(openSteps(el), [false, true, false, true]);
  // the end changes nothing: same steps, same state
  r.addEvents([ev("run_ended", { status: "completed" })]);
  assert.deepEqual(openSteps(el), [false, true, false, true]);
});

test("human decisions are neutral: no error flag, no duplicated denial", () => {
  const { el } = live([
    ev("run_started"),
    ...stepEvents(0),
    ev("tool_call", { msg_id: "m0", tool_call_id: "c1", name: "rm", input: { path: "/" } }),
    ev("approval_requested", { tool_call_id: "c1", name: "rm" }),
    ev("approval_resolved", { tool_call_id: "c1", decision: "denied", reason: "unsafe" }),
    ev("tool_result", { tool_call_id: "c1", state: "denied", output: [{ type: "text", text: "denied: unsafe" }] }),
    ...stepEvents(1),
    ev("model_call_ended", { msg_id: "m1", error: "interrupted" }),
    ev("run_ended", { status: "interrupted" }),
  ]);
  const [s0, s1] = el.querySelectorAll("details.ascope-step");
  assert.equal(s0.hasAttribute("open"), false);
  assert.equal(s0.querySelector("summary .ascope-chip").textContent, " denied rm: unsafe");
  assert.equal(s0.querySelector(".ascope-flag"), null);
  const head = s0.querySelector(".ascope-tool-head").textContent;
  assert.equal(head.match(/denied/g).length, 1, head);
  assert.equal(s1.querySelector("summary .ascope-chip").textContent, " stopped by you");
  assert.equal(s1.querySelector(".ascope-error"), null);
  assert.equal(el.querySelector(".ascope-flag"), null);
});

// Emoji render as empty boxes with Debian's default fonts: icons are inline SVG.
test("no emoji code points in the views' sources", () => {
  const EMOJI = /[\u{1F000}-\u{1FAFF}\u{2300}-\u{23FF}\u{2600}-\u{27BF}\u{FE0F}\u{2B00}-\u{2BFF}]/u;
  const dirs = ["../../ascope_nb/views/static/", "../../labextension/src/", "../../labextension/style/"];
  let checked = 0;
  for (const dir of dirs) {
    const url = new URL(dir, import.meta.url);
    for (const name of readdirSync(url)) {
      const text = readFileSync(new URL(name, url), "utf8");
      const m = text.match(EMOJI);
      assert.equal(m, null, `${dir}${name} uses ${m && JSON.stringify(m[0])} (U+${m && m[0].codePointAt(0).toString(16)})`);
      checked++;
    }
  }
  const py = readFileSync(new URL("../../ascope_nb/views/_html.py", import.meta.url), "utf8");
  assert.equal(py.match(EMOJI), null, "_html.py uses an emoji");
  assert.ok(checked > 10);
});
