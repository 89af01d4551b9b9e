// "Fork from here": a step's button opening an inline editor of that step's output (the
// tool call's arguments as JSON, or the text) and Run; and the forks' views drawn below the
// run. Pure DOM; commands go to send().
//
//   body.push(forkBox(doc, step, { forkEdits: new Map(), send: (cmd) => ... }));
//   const forks = createForkViews(el, createRunRenderer); forks.on(msg);  // "fork" messages
//
// The command is {cmd: "fork", step, edit}: edit is an object (new tool arguments) or a text.

import { h, prettyJson } from "./dom.js";

export function forkBox(doc, s, { forkEdits, send }) {
  const call = (s.tool_calls || [])[0];
  const key = `${s.reply_id}/${s.step}`;
  const st = forkEdits.get(key) || { open: false, text: call ? prettyJson(call.input) : s.text || "" };
  forkEdits.set(key, st);
  const area = h(doc, "textarea.ascope-edit-args", {
    "data-testid": "ascope-fork-edit",
    "aria-label": call ? `Arguments of ${call.name} in the fork` : "The answer in the fork",
    rows: 6,
    oninput: () => (st.text = area.value),
  });
  area.value = st.text;
  const error = h(doc, "span.ascope-error");
  const run = () => {
    let edit = st.text;
    if (call) {
      try {
        edit = JSON.parse(st.text);
      } catch (e) {
        error.textContent = `Invalid JSON: ${e.message}`;
        return;
      }
      if (!edit || typeof edit !== "object" || Array.isArray(edit)) {
        error.textContent = "Arguments must be a JSON object";
        return;
      }
    }
    error.textContent = "";
    st.open = false;
    editor.hidden = true;
    send({ cmd: "fork", step: s.step, edit });
  };
  const editor = h(doc, "div.ascope-fork-editor", { hidden: !st.open },
    h(doc, "span.ascope-muted", {}, call ? `${call.name} arguments (JSON)` : "Answer text"),
    area,
    h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-fork-run", title: "Start a new run from this step with this output", onclick: run }, "Run"),
    error,
  );
  const toggle = h(doc, "button.ascope-btn.ascope-fork-btn", {
    type: "button",
    "data-testid": "ascope-fork",
    "aria-expanded": st.open ? "true" : "false",
    title: "Start a new run from this step, with this step's output edited",
    onclick: () => {
      st.open = !st.open;
      editor.hidden = !st.open;
      toggle.setAttribute("aria-expanded", st.open ? "true" : "false");
    },
  }, "Fork from here");
  return h(doc, "div.ascope-fork", { "data-fork-step": s.step }, toggle, editor);
}

export function createForkViews(container, create) {
  const doc = container.ownerDocument;
  const views = new Map(); // fork run id -> renderer
  return {
    on(msg) {
      if (msg.type === "fork") {
        const box = h(doc, "div.ascope-fork-view", { "data-fork-id": msg.fork_id, "data-fork-step": msg.step },
          h(doc, "div.ascope-muted", {}, `Fork of step ${msg.step + 1} · ${msg.fork_id}`));
        container.append(box);
        views.set(msg.fork_id, create(box, { live: true, interactive: false }));
      } else if (msg.type === "fork_events") {
        const view = views.get(msg.fork_id);
        if (view) view.addEvents(msg.events);
      }
    },
    destroy() {
      for (const view of views.values()) view.destroy();
    },
  };
}
