// A remote A2A agent's reply in the run controls and the step rows:
// - on a plain A2A server (reply_started.unsteerable: the reason) Steer, Pause, Step and
//   Resume are off with a tooltip saying why, Stop still acts; on an ascope_nb server
//   (unsteerable "") they act as for a local agent;
// - "Fork from here" is not offered on a remote step (live view), nor anywhere in the saved
//   (not forkable) view.
// Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { controlState, STEERING } from "../../ascope_nb/views/static/controls.js";
import { createFold } from "../../ascope_nb/views/static/fold.js";
import { createRunRenderer } from "../../ascope_nb/views/static/render.js";

const WHY = "the remote A2A agent 'Echo' at 10.1.2.3:9999 takes no guidance, Pause or Step (its server is not an ascope_nb server); Stop still cancels its task";
let seq = 0;
const ev = (kind, fields = {}) => ({ schema: "ascope.event/1", kind, run_id: "r", seq: seq++, ts: seq, ...fields });

function run({ agent = "Echo", remote = "10.1.2.3:9999", unsteerable = WHY, reply = "rr" } = {}) {
  return [
    ev("run_started", { agent, title: agent, input: [{ id: "u1", name: "user", role: "user", content: "hi" }] }),
    ev("reply_started", { agent, reply_id: reply, remote, unsteerable }),
    ev("step_started", { agent, reply_id: reply, step: 0 }),
    ev("model_call_started", { agent, reply_id: reply, msg_id: "m1" }),
    ev("text_delta", { agent, reply_id: reply, msg_id: "m1", block_id: "b", delta: "Thinking." }),
    ev("tool_call", { agent, reply_id: reply, tool_call_id: "c1", name: "add", input: { a: 1, b: 2 } }),
  ];
}

function setup({ forkable = false, live = true } = {}) {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const sent = [];
  const r = createRunRenderer(el, { onCommand: (c) => sent.push(c), live, forkable });
  const btn = (id) => el.querySelector(`[data-testid="ascope-${id}"]`);
  return { el, r, sent, btn };
}

test("an unsteerable reply turns Steer, Pause, Step and Resume off; Stop stays", () => {
  const on = (s) => Object.keys(s.enabled).filter((k) => s.enabled[k]);
  assert.deepEqual(on(controlState({ status: "running", live: true, unsteerable: WHY })), ["stop"]);
  assert.deepEqual(on(controlState({ status: "paused", live: true, unsteerable: WHY })), ["stop"]);
  assert.equal(controlState({ status: "running", live: true, unsteerable: WHY }).refusal, WHY);
  assert.deepEqual(on(controlState({ status: "running", live: true, unsteerable: "" })), ["stop", "pause", "steer"]);
  assert.equal(controlState({ status: "completed", live: false, unsteerable: WHY }).refusal, "");
  assert.deepEqual(STEERING, ["pause", "step", "resume", "steer"]);
});

test("the fold knows whether the reply under way takes guidance", () => {
  const f = createFold();
  for (const e of run()) f.add(e);
  assert.equal(f.unsteerable(), WHY);
  f.add(ev("reply_started", { agent: "Local", reply_id: "lr" })); // a nested local reply
  assert.equal(f.unsteerable(), "");
  f.add(ev("reply_ended", { agent: "Local", reply_id: "lr" }));
  assert.equal(f.unsteerable(), WHY, "back in the remote reply");
  f.add(ev("reply_ended", { agent: "Echo", reply_id: "rr" }));
  assert.equal(f.unsteerable(), "");
  f.add(ev("reply_started", { agent: "Echo", reply_id: "r2", remote: "x:1", unsteerable: WHY }));
  f.add(ev("run_ended", { agent: "Echo", status: "completed" }));
  assert.equal(f.unsteerable(), "", "an ended run has nothing to steer");
});

test("the buttons of a plain remote's run are disabled with the reason as tooltip", () => {
  const { r, btn, sent } = setup();
  r.setEvents(run());
  for (const id of ["pause", "step", "resume", "steer-send", "steer-input"]) {
    const b = btn(id);
    assert.ok(b.disabled, `${id} is off`);
    assert.equal(b.getAttribute("title"), WHY, `${id} says why`);
  }
  assert.ok(!btn("stop").disabled, "Stop still acts");
  assert.equal(btn("stop").getAttribute("title"), "Stop the run now");
  btn("pause").onclick?.();
  assert.deepEqual(sent, [], "a disabled button sends nothing");
});

test("an ascope_nb server's reply keeps the buttons and their own tooltips", () => {
  const { r, btn } = setup();
  r.setEvents(run({ agent: "Friday", unsteerable: "" }));
  assert.ok(!btn("pause").disabled && !btn("steer-send").disabled && !btn("steer-input").disabled);
  assert.equal(btn("pause").getAttribute("title"), "Hold before the next step");
  assert.equal(btn("steer-send").getAttribute("title"), "Send guidance");
  assert.equal(btn("pause").getAttribute("data-refusal"), null);
});

test("the tooltip goes back when the remote reply ends and a local one runs", () => {
  const { r, btn } = setup();
  r.setEvents(run());
  assert.equal(btn("pause").getAttribute("title"), WHY);
  r.addEvents([ev("reply_ended", { agent: "Echo", reply_id: "rr" }), ev("reply_started", { agent: "Local", reply_id: "lr" })]);
  assert.ok(!btn("pause").disabled);
  assert.equal(btn("pause").getAttribute("title"), "Hold before the next step");
});

test("Fork from here is offered on a local step, never on a remote one", () => {
  const { el, r } = setup({ forkable: true });
  r.setEvents([
    ...run({ agent: "Friday", unsteerable: "" }),
    ev("step_ended", { agent: "Friday", reply_id: "rr", step: 0 }),
    ev("reply_ended", { agent: "Friday", reply_id: "rr" }),
    ev("reply_started", { agent: "Local", reply_id: "lr" }),
    ev("step_started", { agent: "Local", reply_id: "lr", step: 0 }),
    ev("model_call_started", { agent: "Local", reply_id: "lr", msg_id: "m2" }),
    ev("text_delta", { agent: "Local", reply_id: "lr", msg_id: "m2", block_id: "b2", delta: "Local words." }),
  ]);
  const steps = [...el.querySelectorAll("details.ascope-step")];
  assert.equal(steps.length, 2);
  assert.ok(steps[0].querySelector('[data-testid="ascope-remote"]'), "the first is remote");
  assert.equal(steps[0].querySelector('[data-testid="ascope-fork"]'), null, "no fork on the remote step");
  assert.ok(steps[1].querySelector('[data-testid="ascope-fork"]'), "the local step can be forked");
});

test("the saved view of a remote run offers no fork and no controls", () => {
  const { el, r } = setup({ live: false });
  r.setEvents([...run(), ev("run_ended", { agent: "Echo", status: "completed" })]);
  assert.equal(el.querySelectorAll('[data-testid="ascope-fork"]').length, 0);
  assert.equal(el.querySelectorAll('[data-testid="ascope-pause"]').length, 0);
  assert.ok(el.querySelector('[data-testid="ascope-remote"]'));
});
