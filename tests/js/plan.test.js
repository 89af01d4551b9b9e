// plan_fold.js against the Python plan fold on the golden fixtures (tests/fixtures/plan/,
// written by tests/plan_golden.py), and the plan panel of the run view: what a person sees
// live and saved, and what its buttons send. Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseHTML } from "linkedom";
import { createPlanFold } from "../../ascope_nb/views/static/plan_fold.js";
import { createRunRenderer } from "../../ascope_nb/views/static/render.js";

const DIR = fileURLToPath(new URL("../fixtures/plan/", import.meta.url));
const fixtures = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(DIR, f), "utf8"))]),
);

test("the plan fixtures are there", () => {
  assert.deepEqual(Object.keys(fixtures).sort(), ["approved_edits", "finished", "midway", "replaced"]);
});

for (const [name, fx] of Object.entries(fixtures)) {
  test(`plan_fold.js gives the Python plan view: ${name}`, () => {
    const fold = createPlanFold();
    for (const ev of fx.events) fold.add(ev);
    assert.deepEqual(fold.view(), fx.view);
  });
}

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
const rows = (el) => q(el, '[data-testid="ascope-plan-row"]').map((r) => [r.getAttribute("data-state"), r.querySelector(".ascope-plan-name").textContent]);

test("a saved run shows its final plan, without buttons", () => {
  const { el, r } = setup();
  r.setEvents(fixtures.finished.events);
  assert.equal(byTestId(el, "ascope-plan").hidden, false);
  assert.equal(byTestId(el, "ascope-plan-title").textContent, "Trip");
  assert.equal(byTestId(el, "ascope-plan-state").textContent, "done");
  assert.deepEqual(rows(el), [["done", "Pick dates"], ["done", "Book train"], ["done", "Book hotel"]]);
  assert.match(el.querySelector(".ascope-plan-outcome").textContent, /May 3-5/);
  assert.equal(byTestId(el, "ascope-plan-outcome").textContent, "Outcome: Trip booked");
  assert.equal(q(el, ".ascope-plan-btn").length, 0);
});

test("a run without a plan shows no plan panel", () => {
  const { el, r } = setup();
  r.setEvents([{ kind: "run_started", run_id: "r", agent: "A", ts: 0 }]);
  assert.equal(byTestId(el, "ascope-plan").hidden, true);
});

test("the plan updates live as the agent changes it", () => {
  const { el, r } = setup({ live: true });
  const events = fixtures.midway.events;
  const firstChange = events.findIndex((e) => e.kind === "plan_changed");
  r.setEvents(events.slice(0, firstChange + 1));
  assert.deepEqual(rows(el).map((x) => x[0]), ["todo", "todo", "todo"]);
  r.addEvents(events.slice(firstChange + 1).filter((e) => e.kind !== "run_ended"));
  assert.deepEqual(rows(el).map((x) => x[0]), ["done", "in_progress", "todo"]);
});

test("live buttons send plan edits; a waiting plan can be approved or sent back", () => {
  const { window, el, r, sent } = setup({ live: true });
  const events = fixtures.approved_edits.events;
  const waitAt = events.findIndex((e) => e.kind === "approval_requested");
  r.setEvents(events.slice(0, waitAt + 1));
  assert.ok(byTestId(el, "ascope-plan-waiting"), "the approval box shows");
  const second = q(el, '[data-testid="ascope-plan-row"]')[1];
  click(window, second.querySelector('[data-testid="ascope-plan-abandon"]'));
  click(window, second.querySelector('[data-testid="ascope-plan-up"]'));
  click(window, second.querySelector('[data-testid="ascope-plan-remove"]'));
  click(window, second.querySelector('[data-testid="ascope-plan-rename"]'));
  const input = byTestId(el, "ascope-plan-rename-input");
  input.value = "Book a night train";
  const enter = new window.Event("keydown");
  enter.key = "Enter"; // linkedom has no KeyboardEvent; the handler reads only .key
  input.dispatchEvent(enter);
  byTestId(el, "ascope-plan-add-name").value = "Pack bags";
  click(window, byTestId(el, "ascope-plan-add"));
  click(window, byTestId(el, "ascope-plan-approve"));
  byTestId(el, "ascope-plan-reason").value = "too vague";
  click(window, byTestId(el, "ascope-plan-deny"));
  assert.deepEqual(sent, [
    { cmd: "plan", op: "mark", index: 1, state: "abandoned" },
    { cmd: "plan", op: "move", index: 1, to: 0 },
    { cmd: "plan", op: "remove", index: 1 },
    { cmd: "plan", op: "rename", index: 1, name: "Book a night train" },
    { cmd: "plan", op: "add", name: "Pack bags" },
    { cmd: "plan", op: "approve" },
    { cmd: "plan", op: "deny", reason: "too vague" },
  ]);
  r.addEvents(events.slice(waitAt + 1));
  assert.equal(byTestId(el, "ascope-plan-waiting"), null, "approved: the box is gone");
  assert.deepEqual(rows(el).map((x) => x[1]), ["Pick dates", "Book a night train", "Book hotel", "Pack bags"]);
});
