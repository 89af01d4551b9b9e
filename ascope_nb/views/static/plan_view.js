// The plan panel of the run view: the agent's plan with each subtask's state and outcome,
// updated as plan_changed events arrive; while the run is live a person edits it (done,
// abandon, up, down, remove, rename, add) and approves or sends back a plan that waits.
// Buttons send {cmd: "plan", op, ...} (views/_commands.py -> run.plan.edit / approve).
//
//   const pv = createPlanView(doc, { send }); pv.add(ev); pv.render({ live: true });
// Stable hooks for tests: data-testid="ascope-plan*", data-index on rows, data-state.

import { h, clear } from "./dom.js";
import { createPlanFold } from "./plan_fold.js";

const STATE_MARK = { todo: "○", in_progress: "◐", done: "●", abandoned: "⊘" };
const STATE_LABEL = { todo: "to do", in_progress: "in progress", done: "done", abandoned: "abandoned" };

export function createPlanView(doc, { send = () => {} } = {}) {
  let fold = createPlanFold();
  let waiting = new Map(); // approval id -> true while a plan waits for a decision
  let renaming = null; // index of the subtask whose name is being edited
  let live = false;
  const el = h(doc, "div.ascope-plan", { "data-testid": "ascope-plan", hidden: true });

  function add(ev) {
    if (!ev) return false;
    if (ev.kind === "approval_requested" && ev.name === "plan") waiting.set(ev.tool_call_id, true);
    else if (ev.kind === "approval_resolved" && waiting.has(ev.tool_call_id)) waiting.delete(ev.tool_call_id);
    else if (ev.kind === "run_ended") waiting.clear();
    return fold.add(ev);
  }

  function reset() {
    fold = createPlanFold();
    waiting = new Map();
    renaming = null;
  }

  const btn = (testid, label, title, cmd) =>
    h(doc, "button.ascope-plan-btn", { type: "button", title, "aria-label": title, "data-testid": testid, onclick: () => send({ cmd: "plan", ...cmd }) }, label);

  function row(t, n, editable) {
    const name =
      renaming === t.index
        ? h(doc, "input.ascope-plan-rename-input", {
            "data-testid": "ascope-plan-rename-input",
            value: t.name,
            onkeydown: (e) => {
              if (e.key === "Enter" && e.target.value.trim()) {
                send({ cmd: "plan", op: "rename", index: t.index, name: e.target.value.trim() });
                renaming = null;
              } else if (e.key === "Escape") renaming = null;
              else return;
              render({ live });
            },
          })
        : h(doc, "span.ascope-plan-name", {}, t.name);
    const tools = editable
      ? h(doc, "span.ascope-plan-tools", {},
          t.state !== "done" ? btn("ascope-plan-done", "done", "mark done", { op: "mark", index: t.index, state: "done" }) : null,
          t.state !== "abandoned" ? btn("ascope-plan-abandon", "abandon", "abandon", { op: "mark", index: t.index, state: "abandoned" }) : null,
          t.index > 0 ? btn("ascope-plan-up", "↑", "move up", { op: "move", index: t.index, to: t.index - 1 }) : null,
          t.index < n - 1 ? btn("ascope-plan-down", "↓", "move down", { op: "move", index: t.index, to: t.index + 1 }) : null,
          h(doc, "button.ascope-plan-btn", { type: "button", title: "rename", "aria-label": "rename", "data-testid": "ascope-plan-rename", onclick: () => { renaming = t.index; render({ live }); } }, "rename"),
          btn("ascope-plan-remove", "remove", "remove", { op: "remove", index: t.index }))
      : null;
    return h(doc, `li.ascope-plan-row.ascope-plan-${t.state}`, { "data-testid": "ascope-plan-row", "data-index": t.index, "data-state": t.state },
      h(doc, "span.ascope-plan-mark", { title: STATE_LABEL[t.state] || t.state }, STATE_MARK[t.state] || "?"),
      " ", name,
      h(doc, "span.ascope-plan-state", {}, ` ${STATE_LABEL[t.state] || t.state}`),
      t.outcome ? h(doc, "div.ascope-plan-outcome", {}, `→ ${t.outcome}`) : null,
      tools);
  }

  function render(opts = {}) {
    live = !!opts.live;
    if (!fold.has()) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const v = fold.view();
    const shown = v;
    const open = live && v.open && v.state !== "done" && v.state !== "abandoned";
    const isWaiting = open && waiting.size > 0;
    const focused = doc.activeElement && el.contains(doc.activeElement) ? doc.activeElement.getAttribute("data-testid") : null;
    clear(el);
    const head = h(doc, "div.ascope-plan-head", {},
      h(doc, "b", {}, "Plan"), " ",
      h(doc, "span.ascope-plan-title", { "data-testid": "ascope-plan-title" }, shown.name == null ? "(none open)" : String(shown.name)),
      shown.state ? h(doc, `span.ascope-badge.ascope-plan-badge.${shown.state}`, { "data-testid": "ascope-plan-state" }, STATE_LABEL[shown.state] || shown.state) : null,
      v.approved ? h(doc, "span.ascope-muted", {}, " approved") : null);
    el.append(head);
    if (isWaiting) {
      const reason = h(doc, "input.ascope-plan-reason", { placeholder: "why not (optional)", "data-testid": "ascope-plan-reason" });
      el.append(h(doc, "div.ascope-plan-approval", { "data-testid": "ascope-plan-waiting" },
        "The agent waits for your approval of this plan. ",
        btn("ascope-plan-approve", "Approve plan", "approve the plan", { op: "approve" }),
        " ", reason, " ",
        h(doc, "button.ascope-plan-btn", { type: "button", "data-testid": "ascope-plan-deny", onclick: () => send({ cmd: "plan", op: "deny", reason: String(reason.value || "") }) }, "Send back")));
    }
    const tasks = v.subtasks;
    el.append(h(doc, "ol.ascope-plan-list", { start: 0 }, ...tasks.map((t) => row(t, tasks.length, open))));
    if (shown.outcome) el.append(h(doc, "div.ascope-plan-outcome", { "data-testid": "ascope-plan-outcome" }, `Outcome: ${shown.outcome}`));
    if (open) {
      const name = h(doc, "input.ascope-plan-add-name", { placeholder: "new subtask", "data-testid": "ascope-plan-add-name" });
      const addIt = () => {
        const text = String(name.value || "").trim();
        if (text) send({ cmd: "plan", op: "add", name: text });
        name.value = "";
      };
      name.addEventListener("keydown", (e) => { if (e.key === "Enter") addIt(); });
      el.append(h(doc, "div.ascope-plan-add", {}, name, " ", h(doc, "button.ascope-plan-btn", { type: "button", "data-testid": "ascope-plan-add", onclick: addIt }, "Add")));
    }
    if (focused) {
      const again = el.querySelector(`[data-testid="${focused}"]`);
      if (again && again.focus) again.focus();
    }
  }

  return { el, add, reset, render, view: () => fold.view() };
}
