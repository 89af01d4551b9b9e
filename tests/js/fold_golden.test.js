// fold.js against the Python fold on the shared golden fixtures (tests/fixtures/fold/), and
// on extra runs when ASCOPE_FOLD_FIXTURES names a folder of the same shape (written by
// tests/test_fold_golden.py). Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFold } from "../../ascope_nb/views/static/fold.js";

const GOLDEN = fileURLToPath(new URL("../fixtures/fold/", import.meta.url));
const KEYS = ["status", "agent", "title", "step", "n_steps", "tokens", "error", "live"];

function files(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(dir, f));
}

// The Python fold's shape: the JS-only bookkeeping (uid, msg_ids, a call's step) dropped.
function plainSteps(fold) {
  return fold.steps.map(({ uid, msg_ids, ...step }) => ({
    ...step,
    tool_calls: step.tool_calls.map(({ step: _s, ...call }) => call),
  }));
}

const dirs = [GOLDEN, ...(process.env.ASCOPE_FOLD_FIXTURES ? [process.env.ASCOPE_FOLD_FIXTURES] : [])];
const all = dirs.flatMap(files);

test("the golden set is there", () => {
  assert.ok(files(GOLDEN).length >= 8, `golden fixtures missing in ${GOLDEN}`);
});

for (const path of all) {
  test(`fold.js gives the Python fold's steps and summary: ${path}`, () => {
    const fixture = JSON.parse(readFileSync(path, "utf8"));
    const fold = createFold();
    for (const ev of fixture.events) fold.add(ev);
    assert.deepEqual(JSON.parse(JSON.stringify(plainSteps(fold))), fixture.steps);
    const summary = fold.summary();
    assert.deepEqual(Object.fromEntries(KEYS.map((k) => [k, summary[k]])), fixture.summary);
  });
}
