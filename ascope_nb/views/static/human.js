// Decisions by a person (stop, denial, edit, guidance), shown as such: in their own neutral
// colour, never as errors, and in a step's summary line so they show when it is collapsed.
//
//   humanChips(step, live)  ->  [["denied", "denied rm: unsafe"], ["stopped", "stopped by you"]]

import { h } from "./dom.js";
import { icon } from "./icons.js";

// A person's decision on a tool call, in the neutral "human" style (never an error).
export function decisionNode(doc, a) {
  const what = a.decision === "approved" ? "approved" : a.decision === "edited" ? "arguments edited" : a.decision;
  const who = a.by && a.by !== "human" ? ` by ${a.by}` : " by you";
  return h(doc, "span.ascope-human.ascope-decision", { "data-decision": a.decision, title: a.reason || "" },
    icon(doc, "person"), ` ${what}${who}${a.reason ? `: ${a.reason}` : ""}`);
}

// A stop by the person, as a step error ("interrupted" model call).
export const isStopError = (e) => /^interrupted$/i.test(String(e).trim());

// Human decisions of a step, for its (collapsed) summary line.
export function humanChips(s, live) {
  const chips = [];
  for (const c of s.tool_calls) {
    const a = c.approval;
    if (a && a.decision === "pending") {
      if (live) chips.push(["waiting", "waiting for you"]);
    }
    else if (a && a.decision === "denied") chips.push(["denied", `denied ${c.name}${a.reason ? `: ${a.reason}` : ""}`]);
    else if (a && a.decision === "edited") chips.push(["edited", `edited ${c.name}`]);
  }
  if (s.errors.some(isStopError) || s.tool_calls.some((c) => c.state === "interrupted")) chips.push(["stopped", "stopped by you"]);
  return chips;
}

