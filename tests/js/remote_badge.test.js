// A reply from a remote A2A agent (reply_started.remote: host[:port]) is marked "remote" on
// its steps, its chat bubbles and its plain answer rows; a local agent's are not; a remote
// call waiting for approval gets the same Approve / Deny row as a local one.
// Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { createFold } from "../../ascope_nb/views/static/fold.js";
import { createHubRenderer, createRunRenderer } from "../../ascope_nb/views/static/render.js";

let seq = 0;
const ev = (kind, fields = {}) => ({ schema: "ascope.event/1", kind, run_id: "r", seq: seq++, ts: seq, ...fields });

function remoteRun({ remote = "10.1.2.3:9999", approval = false } = {}) {
  const evs = [
    ev("run_started", { agent: "Remote", title: "Remote", input: [{ id: "u1", name: "user", role: "user", content: "1+2?" }] }),
    ev("reply_started", { agent: "Remote", reply_id: "rr", remote }),
    ev("step_started", { agent: "Remote", reply_id: "rr", step: 0 }),
    ev("model_call_started", { agent: "Remote", reply_id: "rr", msg_id: "m1" }),
    ev("text_delta", { agent: "Remote", reply_id: "rr", msg_id: "m1", block_id: "b", delta: "Adding." }),
    ev("tool_call", { agent: "Remote", reply_id: "rr", tool_call_id: "c1", name: "add", input: { a: 1, b: 2 } }),
  ];
  if (approval) evs.push(ev("approval_requested", { agent: "Remote", reply_id: "rr", tool_call_id: "c1", name: "add", input: { a: 1, b: 2 } }));
  return evs;
}

function setup(create = createRunRenderer) {
  const { document, window } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const sent = [];
  const r = create(el, { onCommand: (c) => sent.push(c), live: true });
  return { document, window, el, r, sent };
}

test("the fold marks the steps and answer rows of a remote reply, not a local one", () => {
  const f = createFold();
  for (const e of remoteRun()) f.add(e);
  f.add(ev("reply_started", { agent: "Local", reply_id: "lr" }));
  f.add(ev("step_started", { agent: "Local", reply_id: "lr", step: 0 }));
  f.add(ev("reply_started", { agent: "Echo", reply_id: "er", remote: "echo.example:80" }));
  f.add(ev("message_completed", { agent: "Echo", reply_id: "er", msg: { id: "e1", name: "Echo", role: "assistant", content: "echo" } }));
  const steps = f.steps.map((s) => [s.agent, s.remote ?? null]);
  assert.deepEqual(steps, [["Remote", "10.1.2.3:9999"], ["Local", null]]);
  const answer = f.items.find((i) => i.type === "message");
  assert.equal(answer.remote, "echo.example:80");
});

test("a remote step shows the remote badge with the host; a local one has none", () => {
  const { el, r } = setup();
  r.setEvents([...remoteRun(), ev("reply_started", { agent: "Local", reply_id: "lr" }), ev("step_started", { agent: "Local", reply_id: "lr", step: 0 })]);
  const steps = [...el.querySelectorAll("details.ascope-step")];
  assert.equal(steps.length, 2);
  const badge = steps[0].querySelector('[data-testid="ascope-remote"]');
  assert.ok(badge, "the remote step is marked");
  assert.equal(badge.textContent, "remote · 10.1.2.3:9999");
  assert.equal(badge.getAttribute("data-remote"), "10.1.2.3:9999");
  assert.equal(steps[1].querySelector('[data-testid="ascope-remote"]'), null);
});

test("a hub bubble of a remote agent carries the badge", () => {
  const { el, r } = setup(createHubRenderer);
  r.setEvents(remoteRun());
  const bubble = el.querySelector('.ascope-bubble[data-agent="Remote"]');
  assert.equal(bubble.querySelector('[data-testid="ascope-remote"]').textContent, "remote · 10.1.2.3:9999");
});

test("a remote call waiting for approval has the approve / deny row; approve sends its id", () => {
  const { el, r, window, sent } = setup();
  r.setEvents(remoteRun({ approval: true }));
  r.setSummary({ status: "waiting_approval", live: true, pending_approvals: [{ tool_call_id: "c1", name: "add", input: { a: 1, b: 2 } }] });
  const approve = el.querySelector('[data-tool-call-id="c1"] [data-testid="ascope-approve"]');
  const deny = el.querySelector('[data-tool-call-id="c1"] [data-testid="ascope-deny"]');
  assert.ok(approve && deny, "the same buttons as a local approval");
  approve.dispatchEvent(new window.Event("click"));
  assert.deepEqual(sent.filter((c) => c.cmd === "approve").map((c) => c.tool_call_id), ["c1"]);
});
