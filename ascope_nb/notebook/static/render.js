// The one run renderer: used by the live anywidget view (run_view.js) and the JupyterLab
// MIME renderer of saved runs. It renders from the run's event list (wire dicts).
//
//   const r = createRunRenderer(el, { onCommand: (cmd) => ..., live: true });
//   r.setEvents(events); r.addEvents(moreEvents); r.setSummary({ status: "paused" });
//
// Commands given to onCommand are the typed messages of views/_commands.py
// ({cmd: "stop"}, {cmd: "steer", text}, {cmd: "approve", tool_call_id, input?}, ...).
// Stable hooks for tests: data-testid on controls, data-step / data-tool-call-id on items.

import { createFold, blockText, stepSearchText } from "./fold.js";
import { knowledgeNode } from "./knowledge.js";
import { h, clear, fmtSeconds, prettyJson, blocksNodes, agentColor, STATUS_LABELS } from "./dom.js";

const EAGER_LIMIT = 300; // above this many steps, a closed step's body is built when opened

// A MsgHub conversation: the same renderer laid out as a chat (one colour per agent).
export function createHubRenderer(container, options = {}) {
  return createRunRenderer(container, { ...options, chat: true });
}

export function createRunRenderer(container, { onCommand = () => {}, live = false, interactive, chat = false } = {}) {
  const doc = container.ownerDocument;
  const send = (cmd) => onCommand(cmd);
  let fold = createFold();
  let summary = {};
  let isLive = !!live;
  let canFeedback = interactive ?? !!live;
  let query = "";
  let nodes = new Map(); // item uid -> element
  let openState = new Map(); // item uid -> bool chosen by the person
  const edits = new Map(); // tool_call_id -> {editing, text, reason}
  let inputRequest = null;
  let controlsLive = null;
  let feedbackShown = null;

  const titleEl = h(doc, "span.ascope-title");
  const badge = h(doc, "span.ascope-badge", { "data-testid": "ascope-status" });
  const meta = h(doc, "span.ascope-meta", { "data-testid": "ascope-meta" });
  const search = h(doc, "input.ascope-search", {
    type: "search",
    placeholder: "Search steps",
    "aria-label": "Search steps",
    "data-testid": "ascope-search",
    oninput: () => {
      query = String(search.value || "").trim().toLowerCase();
      applySearch();
    },
  });
  const controls = h(doc, "div.ascope-controls");
  const notice = h(doc, "div.ascope-notice", { role: "status" });
  const timeline = h(doc, "div.ascope-timeline");
  const inputBox = h(doc, "div.ascope-input-box");
  const answer = h(doc, "div.ascope-answer");
  const feedbackBox = h(doc, "div.ascope-feedback-box");
  const root = h(
    doc,
    chat ? "div.ascope-root.ascope-hub" : "div.ascope-root.ascope-run",
    {},
    h(doc, "div.ascope-header", {}, titleEl, badge, meta, search),
    controls,
    notice,
    timeline,
    inputBox,
    answer,
    feedbackBox,
  );
  container.append(root);

  const liveNow = () => isLive && fold.live;
  const status = () => (fold.live && summary.status ? summary.status : fold.status);

  // ------------------------------------------------------------------ controls
  function renderControls() {
    const want = liveNow();
    if (controlsLive === want) return;
    controlsLive = want;
    clear(controls);
    if (!want) return;
    const steer = h(doc, "input.ascope-steer", {
      type: "text",
      placeholder: "Steer: guidance for the next step",
      "data-testid": "ascope-steer-input",
      onkeydown: (e) => e.key === "Enter" && sendSteer(),
    });
    const sendSteer = () => {
      const text = String(steer.value || "").trim();
      if (!text) return;
      send({ cmd: "steer", text });
      steer.value = "";
      showNotice(`Guidance sent: ${text}`);
    };
    const btn = (label, testid, cmd, title) =>
      h(doc, "button.ascope-btn", { type: "button", "data-testid": testid, title, onclick: () => send(cmd) }, label);
    controls.append(
      btn("■ Stop", "ascope-stop", { cmd: "stop" }, "Stop the run now"),
      btn("⏸ Pause", "ascope-pause", { cmd: "pause" }, "Hold before the next step"),
      btn("⏭ Step", "ascope-step", { cmd: "step" }, "Run one step, then hold"),
      btn("▶ Resume", "ascope-resume", { cmd: "resume" }, "Run freely"),
      steer,
      h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-steer-send", onclick: sendSteer }, "Steer"),
    );
  }

  function showNotice(text) {
    notice.textContent = text || "";
  }

  // ------------------------------------------------------------------ header / boxes
  function renderHeader() {
    const s = status();
    titleEl.textContent = summary.title || fold.title || fold.agent || "run";
    badge.textContent = STATUS_LABELS[s] || s;
    badge.setAttribute("data-status", s);
    badge.className = `ascope-badge ascope-status-${s}`;
    renderMeta();
  }

  function renderMeta() {
    const tokens = fold.inputTokens + fold.outputTokens;
    let elapsed = fold.summary().elapsed;
    const started = summary.started ?? fold.started;
    if (elapsed == null && liveNow() && started != null) elapsed = Date.now() / 1000 - started;
    meta.textContent = `${fold.steps.length} step${fold.steps.length === 1 ? "" : "s"} · ${tokens} tokens · ${fmtSeconds(elapsed)}`;
  }

  function renderInputBox() {
    const pending = liveNow() ? summary.pending_input || fold.pendingInput : null;
    const id = pending ? pending.request_id : null;
    if (id === inputRequest) return;
    inputRequest = id;
    clear(inputBox);
    if (!pending) return;
    const field = h(doc, "input.ascope-input", {
      type: "text",
      "data-testid": "ascope-input",
      placeholder: "Your answer",
      onkeydown: (e) => e.key === "Enter" && submit(),
    });
    const submit = () => {
      send({ cmd: "input", request_id: id, text: String(field.value || "") });
      field.value = "";
    };
    inputBox.append(
      h(doc, "span.ascope-prompt", {}, pending.prompt || `${pending.agent || "user"}:`),
      field,
      h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-input-send", onclick: submit }, "Send"),
    );
  }

  function renderAnswer() {
    clear(answer);
    const text = fold.output ? blockText(fold.output.content) : "";
    const last = fold.steps[fold.steps.length - 1];
    if (text && (!last || last.text !== text))
      answer.append(h(doc, "b", {}, "Answer"), h(doc, "pre.ascope-pre", {}, text));
  }

  function renderFeedback() {
    if (feedbackShown === canFeedback) return; // keep a comment being typed
    feedbackShown = canFeedback;
    clear(feedbackBox);
    if (!canFeedback) return;
    const comment = h(doc, "input.ascope-comment", {
      type: "text",
      placeholder: "Comment (optional)",
      "data-testid": "ascope-comment",
    });
    const give = (label) => {
      send({ cmd: "feedback", label, comment: String(comment.value || "") });
      showNotice(`Feedback recorded: ${label === "up" ? "👍" : "👎"}`);
    };
    feedbackBox.append(
      h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-thumbs-up", title: "Good run", onclick: () => give("up") }, "👍"),
      h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-thumbs-down", title: "Bad run", onclick: () => give("down") }, "👎"),
      comment,
    );
  }

  // ------------------------------------------------------------------ items
  function approvalControls(call) {
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
      h(doc, "span.ascope-approval-label", {}, "Needs approval"),
      h(doc, "button.ascope-btn.ascope-approve", { type: "button", "data-testid": "ascope-approve", onclick: approve }, "Approve"),
      h(doc, "button.ascope-btn.ascope-deny", { type: "button", "data-testid": "ascope-deny", onclick: () => send({ cmd: "deny", tool_call_id: id, reason: st.reason }) }, "Deny"),
      h(doc, "button.ascope-btn", {
        type: "button",
        "data-testid": "ascope-edit",
        onclick: () => {
          st.editing = !st.editing;
          area.hidden = !st.editing;
          if (st.editing) area.removeAttribute("hidden");
          else area.setAttribute("hidden", "");
        },
      }, "Edit arguments"),
      reason,
      area,
      error,
    );
  }

  function toolNode(call) {
    const a = call.approval;
    const pending = a && a.decision === "pending";
    const state = call.state || (pending ? "waiting" : "running");
    const parts = [
      h(doc, "div.ascope-tool-head", {},
        h(doc, "span.ascope-tool-name", {}, call.name),
        h(doc, "span.ascope-tool-state", { "data-state": state }, state),
        call.state ? h(doc, "span.ascope-muted", {}, fmtSeconds(call.duration)) : null,
        a && !pending ? h(doc, "span.ascope-decision", { "data-decision": a.decision }, `${a.decision}${a.reason ? `: ${a.reason}` : ""}`) : null,
      ),
      h(doc, "pre.ascope-pre.ascope-args", {}, prettyJson(call.input)),
    ];
    if (pending && liveNow()) parts.push(approvalControls(call));
    if (call.output) parts.push(h(doc, "div.ascope-result", {}, ...blocksNodes(doc, call.output)));
    return h(doc, "div.ascope-tool", { "data-tool-call-id": call.id, "data-state": state }, ...parts);
  }

  function stepHead(s) {
    const dur = s.ended != null ? s.ended - s.started : null;
    const tools = s.tool_calls.map((c) => c.name).join(", ");
    const bad = s.errors.length || s.tool_calls.some((c) => c.state === "error" || c.state === "denied");
    return h(doc, "summary.ascope-step-head", {},
      h(doc, "span.ascope-agent", { style: { color: agentColor(s.agent) } }, s.agent),
      h(doc, "span.ascope-step-n", {}, `Step ${s.step + 1}`),
      tools ? h(doc, "span.ascope-step-tools", {}, `🔧 ${tools}`) : null,
      bad ? h(doc, "span.ascope-flag", {}, "⚠") : null,
      h(doc, "span.ascope-muted", {}, `${fmtSeconds(dur)} · ${s.input_tokens + s.output_tokens} tokens`),
    );
  }

  function stepBody(s) {
    const body = [];
    if (s.thinking) body.push(h(doc, "pre.ascope-pre.ascope-thinking", {}, s.thinking));
    if (s.text) body.push(h(doc, "pre.ascope-pre.ascope-text", {}, s.text));
    for (const c of s.tool_calls) body.push(toolNode(c));
    for (const e of s.errors) body.push(h(doc, "pre.ascope-pre.ascope-error", {}, e));
    return body;
  }

  function isOpen(s) {
    if (openState.has(s.uid)) return openState.get(s.uid);
    if (s.tool_calls.some((c) => c.approval && c.approval.decision === "pending")) return true;
    return s === fold.steps[fold.steps.length - 1];
  }

  function fillStep(el, s) {
    const open = isOpen(s);
    el.__ascopeSyncing = true;
    if (open) el.setAttribute("open", "");
    else el.removeAttribute("open");
    el.__ascopeSyncing = false;
    clear(el);
    el.append(stepHead(s));
    const eager = open || fold.steps.length <= EAGER_LIMIT;
    el.__ascopeBody = eager;
    if (eager) el.append(h(doc, "div.ascope-step-body", {}, ...stepBody(s)));
  }

  function bubbleNode(s) {
    const color = agentColor(s.agent);
    const seen = s.observers && s.observers.length ? h(doc, "span.ascope-muted", {}, ` seen by ${s.observers.join(", ")}`) : null;
    return h(doc, "div.ascope-bubble.ascope-step", { "data-step": s.step, "data-reply": s.reply_id, "data-agent": s.agent, style: { "border-left-color": color } },
      h(doc, "b.ascope-agent", { style: { color } }, s.agent), seen,
      s.thinking ? h(doc, "pre.ascope-pre.ascope-thinking", {}, s.thinking) : null,
      s.text ? h(doc, "pre.ascope-pre.ascope-text", {}, s.text) : null,
      ...s.tool_calls.map(toolNode),
      ...s.errors.map((e) => h(doc, "pre.ascope-pre.ascope-error", {}, e)));
  }

  function itemNode(item) {
    if (item.type === "step" && chat) return bubbleNode(item);
    if (item.type === "step") {
      const el = h(doc, "details.ascope-step", { "data-step": item.step, "data-reply": item.reply_id, "data-agent": item.agent });
      el.addEventListener("toggle", () => {
        if (el.__ascopeSyncing) return;
        openState.set(item.uid, el.hasAttribute("open"));
        if (!el.__ascopeBody) fillStep(el, item);
      });
      fillStep(el, item);
      return el;
    }
    if (item.type === "knowledge") return knowledgeNode(doc, item);
    if (item.type === "hint")
      return h(doc, "div.ascope-hint", {}, h(doc, "b", {}, `Steer (${item.source})`), ` ${item.text}`);
    if (item.type === "feedback")
      return h(doc, "div.ascope-feedback", { "data-label": item.label || "" },
        `Feedback ${item.label === "up" ? "👍" : item.label === "down" ? "👎" : ""}${item.score != null ? ` ${item.score}` : ""} ${item.comment || ""}`);
    if (item.type === "error") return h(doc, "pre.ascope-pre.ascope-error", {}, item.text);
    const msg = item.msg || {};
    const color = agentColor(msg.name);
    const seen = item.observers && item.observers.length ? h(doc, "span.ascope-muted", {}, ` seen by ${item.observers.join(", ")}`) : null;
    return h(doc, `div.ascope-msg.ascope-msg-${item.type}`, { style: { "border-left-color": color } },
      h(doc, "b.ascope-agent", { style: { color } }, msg.name || msg.role || ""), seen,
      ...blocksNodes(doc, msg.content ?? ""));
  }

  function updateItem(item) {
    const old = nodes.get(item.uid);
    if (old && item.type === "step" && !chat) {
      fillStep(old, item);
      applySearchTo(old, item);
      return;
    }
    const el = itemNode(item);
    if (old) old.replaceWith(el);
    else timeline.append(el);
    nodes.set(item.uid, el);
    applySearchTo(el, item);
  }

  function applySearchTo(el, item) {
    const hide = !!query && (item.type !== "step" || !stepSearchText(item).includes(query));
    if (hide) el.setAttribute("hidden", "");
    else el.removeAttribute("hidden");
  }

  function applySearch() {
    for (const item of fold.items) {
      const el = nodes.get(item.uid);
      if (el) applySearchTo(el, item);
    }
  }

  // ------------------------------------------------------------------ API
  function renderAll() {
    renderHeader();
    renderControls();
    renderInputBox();
    renderAnswer();
    renderFeedback();
  }

  function addEvents(list) {
    const prevLast = fold.steps[fold.steps.length - 1];
    const touched = new Set();
    for (const ev of list || []) {
      const item = fold.add(ev);
      if (item) touched.add(item);
    }
    const last = fold.steps[fold.steps.length - 1];
    if (prevLast && prevLast !== last) touched.add(prevLast); // auto-collapse the old step
    const ordered = [...touched].sort((a, b) => a.uid - b.uid);
    for (const item of ordered) updateItem(item);
    renderHeader();
    renderControls();
    renderInputBox();
    renderAnswer();
  }

  function setEvents(list) {
    fold = createFold();
    nodes = new Map();
    openState = new Map();
    clear(timeline);
    for (const ev of list || []) fold.add(ev);
    for (const item of fold.items) updateItem(item);
    inputRequest = null;
    controlsLive = null;
    renderAll();
  }

  function setSummary(obj) {
    summary = { ...summary, ...(obj || {}) };
    if (obj && "live" in obj) isLive = !!obj.live;
    if (obj && "interactive" in obj) canFeedback = !!obj.interactive;
    const stepsToRefresh = fold.steps.filter((s) => s.tool_calls.some((c) => c.approval && c.approval.decision === "pending"));
    for (const s of stepsToRefresh) updateItem(s);
    renderAll();
  }

  renderAll();
  return {
    root,
    setEvents,
    addEvents,
    setSummary,
    notice: showNotice,
    tick: renderMeta,
    summary: () => ({ ...fold.summary(), status: status() }),
    destroy: () => root.remove(),
  };
}
