// The trace id line under a run or hub view (ascope_nb/views/static/trace_id.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";

import { mountTraceId } from "../../ascope_nb/views/static/trace_id.js";

test("the trace id shows, follows the trait, and goes away with the view", () => {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const handlers = {};
  const traits = { trace_id: "" };
  const model = {
    get: (k) => traits[k],
    on: (name, cb) => ((handlers[name] ||= []).push(cb)),
    off: (name, cb) => (handlers[name] = (handlers[name] || []).filter((x) => x !== cb)),
  };
  const cleanup = mountTraceId(model, el);
  const line = el.querySelector(".ascope-trace");
  assert.equal(line.hidden, true); // tracing off: nothing shown
  traits.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  for (const cb of handlers["change:trace_id"]) cb();
  assert.equal(line.hidden, false);
  assert.equal(line.querySelector("code").textContent, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.equal(line.querySelector("button").textContent, "copy");
  cleanup();
  assert.equal(el.querySelector(".ascope-trace"), null);
  assert.deepEqual(handlers["change:trace_id"], []);
});
