// A DOM for node tests (linkedom) with the few globals Lumino reads when it loads, and
// fixtures: the saved outputs written by make_fixtures.py from the real Python views.
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";

export function installDom() {
  const { document, window } = parseHTML("<!doctype html><html><body></body></html>");
  globalThis.document = document;
  globalThis.window = window;
  Object.defineProperty(globalThis, "navigator", { value: { platform: "Linux", userAgent: "node" }, configurable: true });
  for (const k of ["Element", "HTMLElement", "Node", "Event", "CustomEvent", "KeyboardEvent", "MouseEvent", "DocumentFragment", "getComputedStyle"])
    if (window[k] && !globalThis[k]) globalThis[k] = window[k];
  globalThis.requestAnimationFrame ??= (cb) => setTimeout(cb, 0);
  globalThis.DragEvent ??= class DragEvent extends window.Event {};
  return { document, window };
}

export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

// A saved run of `n` steps: the fixture's first step repeated with fresh ids.
export function manyStepRun(events, n) {
  const start = events.findIndex((e) => e.kind === "step_started");
  const end = events.findIndex((e) => e.kind === "step_ended");
  const head = events.slice(0, start);
  const tail = events.filter((e) => e.kind === "reply_ended" || e.kind === "run_ended");
  const block = JSON.stringify(events.slice(start, end + 1));
  const runId = events[0].run_id;
  const idPattern = new RegExp(`"${runId}-(?!reply")([^"]*)"`, "g");
  const steps = [];
  for (let i = 0; i < n; i++) {
    const copy = JSON.parse(block.replace(idPattern, `"${runId}-s${i}-$1"`));
    for (const e of copy) if ("step" in e) e.step = i;
    steps.push(...copy);
  }
  return [...head, ...steps, ...tail].map((e, seq) => ({ ...e, seq }));
}
