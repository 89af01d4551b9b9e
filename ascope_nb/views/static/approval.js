// The approval box of a tool call waiting for a person: Approve, Edit arguments, and Deny
// with its optional reason next to it. Pure DOM; commands go to send().
//
//   el.append(approvalBox(doc, call, { edits: new Map(), send: (cmd) => ... }));
//
// edits keeps what was typed (edited arguments, reason) across redraws, per tool call id.

import { h, prettyJson } from "./dom.js";
import { icon } from "./icons.js";

export function approvalBox(doc, call, { edits, send }) {
  const id = call.id;
  const st = edits.get(id) || { editing: false, text: prettyJson(call.input), reason: "" };
  edits.set(id, st);
  const area = h(doc, "textarea.ascope-edit-args", {
    "data-testid": "ascope-edit-args",
    rows: 6,
    hidden: !st.editing,
    oninput: () => (st.text = area.value),
  });
  area.value = st.text;
  const reason = h(doc, "input.ascope-deny-reason", {
    type: "text",
    placeholder: "Reason (optional)",
    "aria-label": "Reason for denying (optional)",
    "data-testid": "ascope-deny-reason",
    oninput: () => (st.reason = reason.value),
  });
  reason.value = st.reason;
  const error = h(doc, "span.ascope-error");
  const approve = () => {
    const cmd = { cmd: "approve", tool_call_id: id };
    if (st.editing) {
      let parsed;
      try {
        parsed = JSON.parse(st.text);
      } catch (e) {
        error.textContent = `Invalid JSON: ${e.message}`;
        return;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        error.textContent = "Arguments must be a JSON object";
        return;
      }
      cmd.input = parsed;
    }
    send(cmd);
  };
  return h(
    doc,
    "div.ascope-approval",
    { "data-tool-call-id": id },
    h(doc, "span.ascope-approval-label", {}, icon(doc, "person"), " Needs your approval"),
    h(doc, "div.ascope-approval-row", {},
      h(doc, "button.ascope-btn.ascope-approve", { type: "button", "data-testid": "ascope-approve", title: "Run this tool call", onclick: approve }, "Approve"),
      h(doc, "button.ascope-btn", {
        type: "button",
        "data-testid": "ascope-edit",
        "aria-expanded": st.editing ? "true" : "false",
        onclick: (e) => {
          st.editing = !st.editing;
          area.hidden = !st.editing;
          if (st.editing) area.removeAttribute("hidden");
          else area.setAttribute("hidden", "");
          e.currentTarget.setAttribute("aria-expanded", st.editing ? "true" : "false");
        },
      }, "Edit arguments"),
      h(doc, "span.ascope-deny-group", {},
        reason,
        h(doc, "button.ascope-btn.ascope-deny", { type: "button", "data-testid": "ascope-deny", title: "Do not run it; the model is told the reason", onclick: () => send({ cmd: "deny", tool_call_id: id, reason: st.reason }) }, "Deny"),
      ),
    ),
    area,
    error,
  );
}

