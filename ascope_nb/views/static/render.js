// The one run renderer: used by the live anywidget view (run_view.js) and the JupyterLab
// MIME renderer of saved runs. It renders from the run's event list (wire dicts).
//
//   const r = createRunRenderer(el, { onCommand: (cmd) => ..., live: true });
//   r.setEvents(events); r.addEvents(moreEvents); r.setSummary({ status: "paused" });
//
// Commands given to onCommand are the typed messages of views/_commands.py
// ({cmd: "stop"}, {cmd: "steer", text}, {cmd: "approve", tool_call_id, input?}, ...).
// Run controls follow controls.js (which button acts in which state); which steps are open
// follows collapse.js (a person's choice wins; the rule is the same live and saved).
// interactive: the person can rate the run (live with a kernel, or an ended run whose
// notebook still has a kernel); feedback shows as pressed thumbs either way.
// Stable hooks for tests: data-testid on controls, data-step / data-tool-call-id on items.

import { createFold, blockText, stepSearchText } from "./fold.js";
import { knowledgeNode } from "./knowledge.js";
import { h, clear, fmtSeconds, prettyJson, blocksNodes, agentColor, STATUS_LABELS } from "./dom.js";
import { remoteBadge } from "./remote.js";
import { icon } from "./icons.js";
import { controlState, press, settle, BUTTONS, STEERING } from "./controls.js";
import { createCollapse } from "./collapse.js";
import { approvalBox } from "./approval.js";
import { forkBox } from "./fork.js";
import { decisionNode, humanChips, isStopError } from "./human.js";
import { createPlanView } from "./plan_view.js";

const EAGER_LIMIT = 300; // above this many steps, a closed step's body is built when opened

// A MsgHub conversation: the same renderer laid out as a chat (one colour per agent).
export function createHubRenderer(container, options = {}) {
  return createRunRenderer(container, { ...options, chat: true });
}

export function createRunRenderer(container, { onCommand = () => {}, live = false, interactive, chat = false, forkable = false } = {}) {
  const doc = container.ownerDocument;
  const send = (cmd) => onCommand(cmd);
  let fold = createFold();
  let summary = {};
  let isLive = !!live;
  let canFeedback = interactive ?? !!live;
  let query = "";
  let nodes = new Map(); // item uid -> element
  let collapse = createCollapse();
  let pending = null; // a pressed Stop/Pause/Step/Resume the run has not acknowledged yet
  let message = ""; // the last notice (guidance sent, feedback recorded, kernel notices)
  let rated = null; // {label, comment} of the last feedback given in this view
  const edits = new Map(); // tool_call_id -> {editing, text, reason}
  const forkEdits = new Map(); // "reply/step" -> {open, text} of "Fork from here"
  let inputRequest = null;
  let controlsLive = null;
  let feedbackShown = null;
  const buttons = {};

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
  const plan = createPlanView(doc, { send }); // the agent's plan (plan_view.js), if it has one
  const root = h(
    doc,
    chat ? "div.ascope-root.ascope-hub" : "div.ascope-root.ascope-run",
    {},
    h(doc, "div.ascope-header", {}, titleEl, badge, meta, search),
    controls,
    notice,
    plan.el,
    timeline,
    inputBox,
    answer,
    feedbackBox,
  );
  container.append(root);

  const liveNow = () => isLive && fold.live;
  const status = () => (fold.live && summary.status ? summary.status : fold.status);

  // ------------------------------------------------------------------ controls
  function ctl() {
    return controlState({ status: status(), live: liveNow(), pending, unsteerable: fold.unsteerable() });
  }

  function renderControls() {
    const want = liveNow();
    if (controlsLive !== want) {
      controlsLive = want;
      clear(controls);
      for (const k of Object.keys(buttons)) delete buttons[k];
      if (want) buildControls();
    }
    const c = ctl();
    for (const k of [...BUTTONS, "steerInput"]) {
      const el = buttons[k];
      if (!el) continue;
      const name = k === "steerInput" ? "steer" : k;
      const on = c.enabled[name];
      el.disabled = !on;
      if (on) el.removeAttribute("disabled");
      else el.setAttribute("disabled", "");
      // the tooltip says why a remote reply takes no guidance / pause (else what it does)
      const why = c.refusal && STEERING.includes(name) ? c.refusal : "";
      el.setAttribute("title", why || el.getAttribute("data-title") || "");
      if (why) el.setAttribute("data-refusal", why);
      else el.removeAttribute("data-refusal");
    }
    controls.setAttribute("data-phase", c.phase);
    if (c.pending) controls.setAttribute("data-pending", c.pending);
    else controls.removeAttribute("data-pending");
    renderNotice();
  }

  function buildControls() {
    const steer = h(doc, "input.ascope-steer", {
      type: "text",
      placeholder: "Steer: guidance for the next step",
      "aria-label": "Guidance for the next step",
      "data-testid": "ascope-steer-input",
      "data-title": "Guidance for the next step",
      onkeydown: (e) => e.key === "Enter" && sendSteer(),
    });
    const sendSteer = () => {
      const text = String(steer.value || "").trim();
      if (!text || buttons.steer.disabled) return;
      send({ cmd: "steer", text });
      steer.value = "";
      showNotice(`Guidance sent: ${text}`);
    };
    const flow = (cmd) => () => {
      if (!ctl().enabled[cmd]) return; // a disabled button acts on nothing
      pending = press(pending, cmd);
      message = "";
      send({ cmd });
      renderHeader();
      renderControls();
    };
    const btn = (name, label, title) =>
      (buttons[name] = h(doc, `button.ascope-btn.ascope-ctl-${name}`, { type: "button", "data-testid": `ascope-${name}`, title, "data-title": title, "aria-label": title, onclick: flow(name) }, icon(doc, name === "resume" ? "play" : name), ` ${label}`));
    buttons.steerInput = steer;
    controls.append(
      btn("stop", "Stop", "Stop the run now"),
      btn("pause", "Pause", "Hold before the next step"),
      btn("step", "Step", "Run one step, then hold"),
      btn("resume", "Resume", "Run freely"),
      steer,
      (buttons.steer = h(doc, "button.ascope-btn", { type: "button", "data-testid": "ascope-steer-send", title: "Send guidance", "data-title": "Send guidance", onclick: sendSteer }, "Steer")),
    );
  }

  function renderNotice() {
    const ack = liveNow() ? ctl().notice : "";
    notice.textContent = ack || message || "";
    notice.setAttribute("data-ack", ack ? "1" : "");
  }

  function showNotice(text) {
    message = text || "";
    renderNotice();
  }

  // ------------------------------------------------------------------ header / boxes
  function renderHeader() {
    const s = status();
    const c = ctl();
    titleEl.textContent = summary.title || fold.title || fold.agent || "run";
    badge.textContent = c.label || STATUS_LABELS[s] || s;
    badge.setAttribute("data-status", s);
    badge.className = `ascope-badge ascope-status-${s}${c.label ? ` ascope-status-${c.label}` : ""}`;
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

  // The last feedback of the run (given here or stored in its events).
  function lastFeedback() {
    if (rated) return rated;
    for (let i = fold.items.length - 1; i >= 0; i--) {
      const it = fold.items[i];
      if (it.type === "feedback" && it.label) return { label: it.label, comment: it.comment };
    }
    return null;
  }

  // While live the thumbs sit at the end of the controls row; once the run ended the rating
  // row (thumbs and a comment) takes the controls row's place at the bottom, so the output
  // keeps its height when the run ends.
  function placeFeedback() {
    if (liveNow()) {
      if (feedbackBox.parentNode !== controls) controls.append(feedbackBox);
    } else if (feedbackBox.previousSibling !== answer) answer.after(feedbackBox);
  }

  function renderFeedback() {
    placeFeedback();
    const given = lastFeedback();
    const key = `${canFeedback}/${liveNow()}/${given ? given.label : ""}`;
    if (feedbackShown === key) return; // keep a comment being typed
    feedbackShown = key;
    const typed = feedbackBox.querySelector(".ascope-comment");
    const draft = typed ? String(typed.value || "") : "";
    clear(feedbackBox);
    if (!canFeedback) return;
    const comment = h(doc, "input.ascope-comment", {
      type: "text",
      placeholder: "Comment (optional)",
      "aria-label": "Comment on this run",
      "data-testid": "ascope-comment",
    });
    comment.value = draft;
    const give = (label) => {
      const text = String(comment.value || "");
      send({ cmd: "feedback", label, comment: text });
      comment.value = "";
      rated = { label, comment: text };
      showNotice(`Feedback recorded: ${label === "up" ? "good run" : "bad run"}${text ? ` (${text})` : ""}`);
      renderFeedback();
    };
    const thumb = (label, title) =>
      h(doc, `button.ascope-btn.ascope-thumb`, {
        type: "button",
        "data-testid": `ascope-thumbs-${label}`,
        title,
        "aria-label": title,
        "aria-pressed": given && given.label === label ? "true" : "false",
        onclick: () => give(label),
      }, icon(doc, label));
    if (liveNow()) feedbackBox.append(thumb("up", "Good run"), thumb("down", "Bad run"));
    else
      feedbackBox.append(
        h(doc, "span.ascope-muted", {}, "Rate this run"),
        thumb("up", "Good run"),
        thumb("down", "Bad run"),
        comment,
      );
  }

  // ------------------------------------------------------------------ items
  const STATE_LABELS = { interrupted: "stopped", waiting: "waiting for you" };

  function toolNode(call) {
    const a = call.approval;
    const pending = a && a.decision === "pending";
    const state = call.state || (pending ? "waiting" : "running");
    const decided = a && !pending;
    // a denial is said once, by the decision (not "denied … denied: reason")
    const showState = !(decided && state === "denied");
    const parts = [
      h(doc, "div.ascope-tool-head", {},
        h(doc, "span.ascope-tool-name", {}, call.name),
        showState ? h(doc, "span.ascope-tool-state", { "data-state": state }, STATE_LABELS[state] || state) : null,
        call.state ? h(doc, "span.ascope-muted", {}, fmtSeconds(call.duration)) : null,
        decided ? decisionNode(doc, a) : null,
      ),
    ];
    parts.push(h(doc, "pre.ascope-pre.ascope-args", {}, prettyJson(call.input)));
    if (a && a.decision === "edited" && a.original_input && Object.keys(a.original_input).length)
      parts.push(h(doc, "details.ascope-original", {}, h(doc, "summary", {}, "arguments before your edit"), h(doc, "pre.ascope-pre", {}, prettyJson(a.original_input))));
    if (pending && liveNow()) parts.push(approvalBox(doc, call, { edits, send }));
    if (call.output) parts.push(h(doc, "div.ascope-result", {}, ...blocksNodes(doc, call.output)));
    return h(doc, "div.ascope-tool", { "data-tool-call-id": call.id, "data-state": state }, ...parts);
  }

  function stepHead(s) {
    const dur = s.ended != null ? s.ended - s.started : null;
    const tools = s.tool_calls.map((c) => c.name).join(", ");
    const bad = s.errors.some((e) => !isStopError(e)) || s.tool_calls.some((c) => c.state === "error");
    return h(doc, "summary.ascope-step-head", {},
      h(doc, "span.ascope-agent", { style: { color: agentColor(s.agent) } }, s.agent),
      remoteBadge(doc, s.remote),
      h(doc, "span.ascope-step-n", {}, `Step ${s.step + 1}`),
      tools ? h(doc, "span.ascope-step-tools", { title: "tool calls" }, icon(doc, "tool"), ` ${tools}`) : null,
      ...humanChips(s, liveNow()).map(([kind, text]) => h(doc, "span.ascope-human.ascope-chip", { "data-human": kind }, icon(doc, "person"), ` ${text}`)),
      bad ? h(doc, "span.ascope-flag", { title: "this step has an error", "aria-label": "error" }, icon(doc, "warn")) : null,
      h(doc, "span.ascope-muted", {}, `${fmtSeconds(dur)} · ${s.input_tokens + s.output_tokens} tokens`),
      s.timing ? h(doc, "span.ascope-muted.ascope-speed", { title: "time to first token · prompt / generation speed" }, speedText(s.timing)) : null,
    );
  }

  // tokens per second: one decimal below 10 (a loaded CPU gives 0.8, not "0")
  function rate(x) {
    return x < 10 ? x.toFixed(1) : String(Math.round(x));
  }

  function speedText(t) {
    const parts = [];
    if (t.ttft != null) parts.push(`first token ${fmtSeconds(t.ttft)}`);
    if (t.prompt_tok_s != null) parts.push(`prompt ${rate(t.prompt_tok_s)} tok/s`);
    if (t.gen_tok_s != null) parts.push(`gen ${rate(t.gen_tok_s)} tok/s`);
    return parts.join(" · ");
  }

  function stepBody(s) {
    const body = [];
    if (s.thinking) body.push(h(doc, "pre.ascope-pre.ascope-thinking", {}, s.thinking));
    if (s.text) body.push(h(doc, "pre.ascope-pre.ascope-text", {}, s.text));
    for (const c of s.tool_calls) body.push(toolNode(c));
    // a remote (A2A) agent's step cannot be forked here: its model and memory are elsewhere
    if (forkable && !s.remote && (s.text || s.tool_calls.length)) body.push(forkBox(doc, s, { forkEdits, send }));
    for (const e of s.errors) {
      if (isStopError(e)) body.push(h(doc, "div.ascope-human.ascope-stopped", {}, icon(doc, "person"), " Stopped by you"));
      else body.push(h(doc, "pre.ascope-pre.ascope-error", {}, e));
    }
    return body;
  }

  function lastStep() {
    return fold.steps[fold.steps.length - 1];
  }

  function fillStep(el, s) {
    const open = collapse.isOpen(s, lastStep());
    collapse.shown(s.uid, open); // the "toggle" event this may fire later is ours
    if (open) el.setAttribute("open", "");
    else el.removeAttribute("open");
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
      h(doc, "b.ascope-agent", { style: { color } }, s.agent), remoteBadge(doc, s.remote), seen,
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
        if (!collapse.toggled(item.uid, item, el.hasAttribute("open"))) return; // our own change
        el.setAttribute("data-manual", "1");
        if (!el.__ascopeBody) fillStep(el, item);
      });
      fillStep(el, item);
      return el;
    }
    if (item.type === "knowledge") return knowledgeNode(doc, item);
    if (item.type === "hint")
      return h(doc, "div.ascope-hint.ascope-human", { "data-human": "guidance" }, icon(doc, "guide"),
        h(doc, "b", {}, item.source === "human" ? " Your guidance" : ` Guidance (${item.source})`), ` ${item.text}`);
    if (item.type === "feedback")
      return h(doc, "div.ascope-feedback", { "data-label": item.label || "" },
        item.label ? icon(doc, item.label) : null,
        ` Feedback${item.label === "up" ? ": good run" : item.label === "down" ? ": bad run" : ""}${item.score != null ? ` ${item.score}` : ""}${item.comment ? ` · ${item.comment}` : ""}`);
    if (item.type === "error") return h(doc, "pre.ascope-pre.ascope-error", {}, item.text);
    const msg = item.msg || {};
    const color = agentColor(msg.name);
    const seen = item.observers && item.observers.length ? h(doc, "span.ascope-muted", {}, ` seen by ${item.observers.join(", ")}`) : null;
    return h(doc, `div.ascope-msg.ascope-msg-${item.type}`, { style: { "border-left-color": color } },
      h(doc, "b.ascope-agent", { style: { color } }, msg.name || msg.role || ""), remoteBadge(doc, item.remote), seen,
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
    plan.render({ live: liveNow() });
    renderHeader();
    renderControls();
    renderInputBox();
    renderAnswer();
    renderFeedback();
  }

  function addEvents(list) {
    const prevLast = fold.steps[fold.steps.length - 1];
    const touched = new Set();
    if (!fold.items.length) {
      const first = (list || []).find((ev) => ev && ev.run_id);
      if (first) collapse.useRun(first.run_id);
    }
    for (const ev of list || []) {
      const item = fold.add(ev);
      if (item) touched.add(item);
      plan.add(ev);
    }
    const last = fold.steps[fold.steps.length - 1];
    if (prevLast && prevLast !== last) touched.add(prevLast); // auto-collapse the old step
    const ordered = [...touched].sort((a, b) => a.uid - b.uid);
    for (const item of ordered) updateItem(item);
    pending = settle(pending, status(), liveNow());
    renderAll();
  }

  function setEvents(list) {
    fold = createFold();
    nodes = new Map();
    collapse.reset();
    clear(timeline);
    plan.reset();
    for (const ev of list || []) {
      fold.add(ev);
      plan.add(ev);
    }
    const first = (list || []).find((ev) => ev && ev.run_id);
    collapse.useRun(first ? first.run_id : "");
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
    pending = settle(pending, status(), liveNow());
    renderAll();
  }

  renderAll();
  return {
    root,
    setEvents,
    addEvents,
    setSummary,
    notice: showNotice,
    // Feedback stored from outside the renderer (e.g. by the saved view through a kernel).
    rated(label, comment = "") {
      rated = { label, comment };
      renderFeedback();
    },
    tick: renderMeta,
    summary: () => ({ ...fold.summary(), status: status() }),
    destroy: () => root.remove(),
  };
}
