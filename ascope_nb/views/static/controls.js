// The state machine of the RunView's run controls (pure: no DOM).
//
// The phase comes from the run (running, paused, waiting_approval, waiting_input, ended) and
// from what the person just pressed (a Pause or Stop not yet acknowledged by the run):
//
//   const s = controlState({ status: "running", live: true, pending: "pause" });
//   s.enabled.pause === false; s.notice === "pausing after this step"
//
// enabled: which buttons act now; label: what the status pill reads; notice: the line shown
// under the controls (acknowledgement of a pressed button); refusal: why Steer, Pause, Step and
// Resume are off for the reply under way (`unsteerable`: a remote agent on a plain A2A server
// takes none of them; Stop still acts), "" otherwise.

export const BUTTONS = ["stop", "pause", "step", "resume", "steer"];

// The phase of a run for its controls.
export function phaseOf(status, live) {
  if (!live) return "ended";
  if (status === "paused") return "paused";
  if (status === "waiting_approval") return "waiting_approval";
  if (status === "waiting_input") return "waiting_input";
  return "running";
}

// Buttons that act in each phase (Step and Resume only act on a held run).
const ENABLED = {
  running: { stop: true, pause: true, step: false, resume: false, steer: true },
  waiting_approval: { stop: true, pause: true, step: false, resume: false, steer: true },
  waiting_input: { stop: true, pause: false, step: false, resume: false, steer: false },
  paused: { stop: true, pause: false, step: true, resume: true, steer: true },
  ended: { stop: false, pause: false, step: false, resume: false, steer: false },
};

const NONE = { stop: false, pause: false, step: false, resume: false, steer: false };
export const STEERING = ["pause", "step", "resume", "steer"]; // what an unsteerable reply refuses

// pending: the last pressed command the run has not acknowledged yet ("pause", "stop",
// "step", "resume" or null).
export function controlState({ status, live, pending = null, unsteerable = "" }) {
  const phase = phaseOf(status, live);
  let enabled = { ...ENABLED[phase] };
  let label = null;
  let notice = "";
  if (phase === "ended") return { phase, enabled, label, notice, pending: null, refusal: "" };
  const refusal = unsteerable ? String(unsteerable) : "";
  if (pending === "stop") {
    enabled = { ...NONE };
    label = "stopping";
    notice = "stopping…";
  } else if (pending === "pause" && phase !== "paused") {
    enabled = { ...enabled, pause: false, resume: true };
    if (phase === "running") label = "pausing"; // "waiting approval" stays what the pill says
    notice = "pausing after this step";
  } else if (pending === "step" || pending === "stepping") {
    enabled = { ...enabled, step: false };
    notice = "running one step, then holding";
  } else if (phase === "paused") {
    notice = "paused: Step runs one step, Resume runs freely";
  }
  if (refusal) for (const k of STEERING) enabled = { ...enabled, [k]: false };
  return { phase, enabled, label, notice, pending, refusal };
}

// The pending command after the run reports a new status (or ends).
export function settle(pending, status, live) {
  const phase = phaseOf(status, live);
  if (phase === "ended") return null;
  if (pending === "pause" && phase === "paused") return null;
  if (pending === "resume" && phase !== "paused") return null;
  if (pending === "step" && phase !== "paused") return "stepping"; // it left the hold
  if (pending === "stepping" && phase === "paused") return null; // and came back
  return pending;
}

// The pending command after a button press.
export function press(pending, cmd) {
  if (pending === "stop") return "stop"; // nothing undoes a Stop
  if (cmd === "stop" || cmd === "pause" || cmd === "step" || cmd === "resume") return cmd;
  return pending;
}
