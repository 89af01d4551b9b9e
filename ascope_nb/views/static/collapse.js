// Which steps of a run are open (pure: no DOM). A person's open/close wins; otherwise the
// rule is the same live and saved, so the view does not jump when the run ends:
// a step waiting for approval is open, the last step is open, every other step is closed.
//
//   const c = createCollapse();
//   c.isOpen(step, lastStep);            // the rule (or the person's choice)
//   c.shown(uid, true);                  // the renderer set open=true itself
//   c.toggled(uid, el.open);             // a "toggle" event: counted only if not ours
//
// Chromium fires <details> "toggle" asynchronously, after the renderer's own change is done,
// so a flag reset after setting `open` cannot tell the two apart; comparing with the state
// the renderer last set can.

export function autoOpen(step, last) {
  if (step.tool_calls.some((c) => c.approval && c.approval.decision === "pending")) return true;
  return step === last;
}

// Person's choices survive the widget being replaced by the saved view at the end of a run
// (same page, same run id): kept per run id on the window.
function sharedStore(runId) {
  const g = typeof globalThis !== "undefined" ? globalThis : {};
  if (!runId) return new Map();
  g.__ascopeOpenSteps = g.__ascopeOpenSteps || new Map();
  if (!g.__ascopeOpenSteps.has(runId)) g.__ascopeOpenSteps.set(runId, new Map());
  return g.__ascopeOpenSteps.get(runId);
}

export function createCollapse(runId = "") {
  let manual = sharedStore(runId); // step key -> open chosen by the person
  const set = new Map(); // uid -> open state the renderer set last
  return {
    useRun(id) {
      manual = sharedStore(id);
    },
    isOpen(step, last) {
      const key = stepKey(step);
      return manual.has(key) ? manual.get(key) : autoOpen(step, last);
    },
    shown(uid, open) {
      set.set(uid, !!open);
    },
    // Returns true when the toggle was the person's (and records it).
    toggled(uid, step, open) {
      if (set.get(uid) === !!open) return false;
      set.set(uid, !!open);
      manual.set(stepKey(step), !!open);
      return true;
    },
    manual: () => new Map(manual),
    reset() {
      set.clear();
    },
  };
}

export function stepKey(step) {
  return `${step.reply_id}/${step.step}`;
}
