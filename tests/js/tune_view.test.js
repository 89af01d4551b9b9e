// The training progress view (ascope_nb/views/static/tune_view.js): the numbers, the curve,
// the buttons' states and the commands they send.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";

import widget, { curvePoints, fmtLoss, fmtSeconds, progressLine } from "../../ascope_nb/views/static/tune_view.js";

function fakeModel(state) {
  const handlers = {};
  const sent = [];
  return {
    sent,
    handlers,
    get: (k) => state[k],
    set: (k, v) => {
      state[k] = v;
      for (const cb of handlers[`change:${k}`] || []) cb();
    },
    send: (msg) => sent.push(msg),
    on: (name, cb) => ((handlers[name] ||= []).push(cb)),
    off: (name, cb) => (handlers[name] = (handlers[name] || []).filter((x) => x !== cb)),
  };
}

function mount(state) {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  globalThis.document = document;
  const el = document.getElementById("app");
  const model = fakeModel({ tune: state });
  const cleanup = widget.render({ model, el });
  return { el, model, cleanup };
}

test("formatting: loss, durations, the progress line", () => {
  assert.equal(fmtLoss(0.123456), "0.1235");
  assert.equal(fmtLoss(null), "—");
  assert.equal(fmtSeconds(12.4), "12 s");
  assert.equal(fmtSeconds(185), "3 min 5 s");
  const s = { status: "training", step: 3, total: 10, loss: 1.024, elapsed: 6, eta: 14 };
  assert.equal(progressLine(s), "step 3/10 · loss 1.024 · 6 s elapsed · ETA 14 s");
  assert.equal(progressLine({ ...s, status: "stopped" }), "step 3/10 · loss 1.024 · 6 s elapsed");
});

test("the curve is scaled into the box, highest loss at the top", () => {
  assert.equal(curvePoints([[1, 2]], 100, 20), "");
  assert.equal(curvePoints([[1, 2], [3, 1]], 106, 26), "3.0,3.0 103.0,23.0");
});

test("a training view: numbers, curve, Stop enabled, Resume disabled; Stop sends stop", () => {
  const { el, model, cleanup } = mount({
    name: "fix", method: "sft", status: "training", step: 2, total: 8, loss: 1.28,
    curve: [[1, 1.6], [2, 1.28]], elapsed: 1, eta: 3, samples: 8, rejected: 1,
    artifact: "fix:v1", resumable: false,
  });
  assert.equal(el.querySelector(".ascope-tune-title").textContent, "Tune fix");
  assert.equal(el.querySelector(".ascope-tune-meta").textContent, "sft · 8 samples, 1 rejected");
  assert.equal(el.querySelector(".ascope-tune-progress").textContent, "step 2/8 · loss 1.28 · 1 s elapsed · ETA 3 s");
  assert.equal(el.querySelector(".ascope-tune-fill").style.width, "25%");
  assert.ok(el.querySelector("polyline").getAttribute("points").includes(" "));
  const stop = el.querySelector("button[data-cmd=stop]");
  const resume = el.querySelector("button[data-cmd=resume]");
  assert.equal(stop.disabled, false);
  assert.equal(resume.disabled, true);
  stop.dispatchEvent(new el.ownerDocument.defaultView.Event("click"));
  assert.deepEqual(model.sent, [{ cmd: "stop" }]);
  assert.equal(stop.disabled, true); // until the kernel answers

  model.set("tune", { ...model.get("tune"), status: "stopped", step: 3, resumable: true });
  assert.equal(el.querySelector(".ascope-tune-status").dataset.status, "stopped");
  assert.equal(resume.disabled, false);
  resume.dispatchEvent(new el.ownerDocument.defaultView.Event("click"));
  assert.deepEqual(model.sent, [{ cmd: "stop" }, { cmd: "resume" }]);

  model.set("tune", { ...model.get("tune"), status: "completed", step: 8, artifact: "fix:v2", parent: "v1", resumable: false });
  assert.equal(el.querySelector(".ascope-tune-artifact").textContent, "adapter fix:v2 (resumed from v1)");
  assert.equal(stop.disabled, true);
  assert.equal(resume.disabled, true);
  cleanup();
  assert.equal(el.querySelector(".ascope-tune-title"), null);
  assert.deepEqual(model.handlers["change:tune"], []);
});

test("an error is shown and a notice from the kernel too", () => {
  const { el, model } = mount({ name: "x", status: "error", error: "RuntimeError: boom (adapter x:v1)" });
  assert.equal(el.querySelector(".ascope-tune-error").textContent, "RuntimeError: boom (adapter x:v1)");
  for (const cb of model.handlers["msg:custom"]) cb({ type: "notice", text: "resume failed: nothing to resume" });
  assert.equal(el.querySelector(".ascope-tune-notice").textContent, "resume failed: nothing to resume");
});
