// Fold a run's wire events (Event.to_dict()) into timeline items and a summary.
// The JS twin of ascope_nb/views/_fold.py. Incremental: add() returns the item it
// changed (or null), so the renderer redraws only that item.

export function blockText(content) {
  if (typeof content === "string") return content;
  return (content || [])
    .filter((b) => b && b.type === "text")
    .map((b) => String(b.text ?? ""))
    .join("\n");
}

export function createFold() {
  let uid = 0;
  const f = {
    items: [],
    steps: [],
    byStep: new Map(), // `${reply_id}/${step}` -> step item
    calls: new Map(), // tool_call_id -> call record
    modelMsgs: new Map(), // model msg_id -> step item
    current: new Map(), // reply_id -> open step
    msgItems: new Map(), // msg id -> item (for observers)
    remotes: new Map(), // reply_id -> host[:port] of a remote (A2A) agent's reply
    openReplies: [], // [{reply_id, unsteerable}] of the replies under way, innermost last
    agent: "",
    title: "",
    status: "idle",
    started: null,
    ended: null,
    error: null,
    output: null,
    inputTokens: 0,
    outputTokens: 0,
    pendingApprovals: new Map(),
    pendingInput: null,
    lastStep: -1,
    live: true,
  };
  const push = (item) => {
    item.uid = ++uid;
    f.items.push(item);
    return item;
  };
  const stepOf = (ev) =>
    f.modelMsgs.get(ev.msg_id || "") || f.current.get(ev.reply_id || "") || null;

  const handlers = {
    run_started(ev) {
      f.title = ev.title || "";
      f.status = "running";
      f.live = true;
      let last = null;
      for (const msg of ev.input || []) {
        last = push({ type: "input", msg, observers: [] });
        if (msg.id) f.msgItems.set(msg.id, last); // a hub's opening: observers join this row
      }
      return last;
    },
    run_ended(ev) {
      f.status = ev.status || "completed";
      f.error = ev.error || null;
      f.output = ev.output || null;
      f.ended = ev.ts ?? null;
      f.live = false;
      f.pendingApprovals.clear();
      f.pendingInput = null;
      for (const s of f.current.values()) if (s.ended == null) s.ended = ev.ts ?? null;
      return f.error ? push({ type: "error", text: String(f.error) }) : null;
    },
    reply_started(ev) {
      if (ev.remote) f.remotes.set(ev.reply_id || "", String(ev.remote));
      f.openReplies.push({ reply_id: ev.reply_id || "", unsteerable: String(ev.unsteerable || "") });
      return null;
    },
    step_started(ev) {
      const s = {
        type: "step",
        reply_id: ev.reply_id || "",
        agent: ev.agent || "",
        step: ev.step || 0,
        started: ev.ts ?? 0,
        ended: null,
        thinking: "",
        text: "",
        tool_calls: [],
        input_tokens: 0,
        output_tokens: 0,
        errors: [],
        msg_ids: [],
      };
      const remote = f.remotes.get(s.reply_id);
      if (remote) s.remote = remote;
      f.byStep.set(`${s.reply_id}/${s.step}`, s);
      f.current.set(s.reply_id, s);
      f.steps.push(s);
      f.lastStep = s.step;
      return push(s);
    },
    step_ended(ev) {
      const s = f.byStep.get(`${ev.reply_id || ""}/${ev.step || 0}`);
      if (s) s.ended = ev.ts ?? null;
      return s || null;
    },
    model_call_started(ev) {
      const s = f.current.get(ev.reply_id || "");
      if (s && ev.msg_id) {
        f.modelMsgs.set(ev.msg_id, s);
        s.msg_ids.push(ev.msg_id);
      }
      return null;
    },
    model_call_ended(ev) {
      const u = ev.usage || {};
      const nIn = Number(u.input_tokens || 0);
      const nOut = Number(u.output_tokens || 0);
      f.inputTokens += nIn;
      f.outputTokens += nOut;
      const s = stepOf(ev);
      if (!s) return null;
      s.input_tokens += nIn;
      s.output_tokens += nOut;
      if (u.metadata && typeof u.metadata === "object") s.timing = { ...u.metadata };
      if (ev.error) s.errors.push(String(ev.error));
      return s;
    },
    text_delta(ev) {
      const s = stepOf(ev);
      if (s) s.text += String(ev.delta ?? "");
      return s;
    },
    thinking_delta(ev) {
      const s = stepOf(ev);
      if (s) s.thinking += String(ev.delta ?? "");
      return s;
    },
    tool_call(ev) {
      if (f.calls.has(ev.tool_call_id)) return null;
      const call = {
        id: ev.tool_call_id || "",
        name: ev.name || "",
        input: ev.input || {},
        approval: null,
        output: null,
        state: null,
        duration: 0,
      };
      f.calls.set(call.id, call);
      const s = stepOf(ev);
      if (s) {
        call.step = s;
        s.tool_calls.push(call);
      }
      return s;
    },
    approval_requested(ev) {
      const id = ev.tool_call_id || "";
      f.pendingApprovals.set(id, { tool_call_id: id, name: ev.name || "", input: ev.input || {} });
      const call = f.calls.get(id);
      if (call) call.approval = { decision: "pending" };
      f.status = "waiting_approval";
      return call ? call.step || null : null;
    },
    approval_resolved(ev) {
      const id = ev.tool_call_id || "";
      f.pendingApprovals.delete(id);
      const call = f.calls.get(id);
      if (call) {
        call.approval = {
          decision: ev.decision || "approved",
          reason: ev.reason || "",
          by: ev.by || "human",
          original_input: ev.original_input || {},
        };
        if (ev.decision === "edited") call.input = ev.input || {};
      }
      if (f.status === "waiting_approval" && f.pendingApprovals.size === 0) f.status = "running";
      return call ? call.step || null : null;
    },
    tool_progress(ev) {
      const call = f.calls.get(ev.tool_call_id || "");
      if (call) call.output = ev.output || [];
      return call ? call.step || null : null;
    },
    tool_result(ev) {
      let call = f.calls.get(ev.tool_call_id || "");
      if (!call) {
        handlers.tool_call({ ...ev, input: {} });
        call = f.calls.get(ev.tool_call_id || "");
      }
      call.output = ev.output || [];
      call.state = ev.state || "success";
      call.duration = Number(ev.duration || 0);
      return call.step || null;
    },
    knowledge_retrieved(ev) {
      const item = { type: "knowledge", query: ev.query || "", source: ev.source || "knowledge", via: ev.via || "reply", chunks: ev.chunks || [] };
      if (ev.original_query) item.original_query = ev.original_query;  // the model rewrote the query
      return push(item);
    },
    hint_injected(ev) {
      return push({ type: "hint", text: ev.text || "", source: ev.source || "human" });
    },
    message_completed(ev) {
      const msg = ev.msg || {};
      const s = f.modelMsgs.get(msg.id || "");
      const content = msg.content;
      if (s) {
        if (Array.isArray(content)) {
          const th = content.filter((b) => b.type === "thinking").map((b) => b.thinking || "");
          if (th.length) s.thinking = th.join("\n");
        }
        const text = blockText(content);
        if (text) s.text = text;
        f.msgItems.set(msg.id, s);
        return s;
      }
      let item = (msg.id && f.msgItems.get(msg.id)) || null; // a run's input: shown once
      const spoken = !!(msg.metadata && msg.metadata.speech_of); // a reply's speech (as _timeline.py)
      if (!item && (!f.current.get(ev.reply_id || "") || spoken) && msg.role !== "system") {
        const isResult =
          Array.isArray(content) && content.some((b) => b && b.type === "tool_result");
        if (!isResult) {
          item = { type: "message", msg, observers: [] };
          const remote = f.remotes.get(ev.reply_id || "");
          if (remote) item.remote = remote;
          push(item);
          if (msg.id) f.msgItems.set(msg.id, item);
        }
      }
      if (f.pendingInput && ev.agent === f.pendingInput.agent) f.pendingInput = null;
      return item;
    },
    message_observed(ev) {
      const msg = ev.msg || {};
      const known = f.msgItems.get(msg.id || "");
      if (known) {
        known.observers = known.observers || [];
        if (!known.observers.includes(ev.observer)) known.observers.push(ev.observer);
        return known;
      }
      const item = push({ type: "observed", msg, observers: [ev.observer] });
      if (msg.id) f.msgItems.set(msg.id, item);
      return item;
    },
    reply_ended(ev) {
      const s = f.current.get(ev.reply_id || "");
      // the returned Msg is not the model's (structured output): a later broadcast of it adds
      // observers to this step instead of a second row
      if (s && ev.msg_id && !f.modelMsgs.has(ev.msg_id) && !f.msgItems.has(ev.msg_id)) f.msgItems.set(ev.msg_id, s);
      f.current.delete(ev.reply_id || "");
      f.openReplies = f.openReplies.filter((r) => r.reply_id !== (ev.reply_id || ""));
      if (s && s.ended == null) s.ended = ev.ts ?? null;
      return s || null;
    },
    status_changed(ev) {
      let status = ev.status || "running";
      if (status !== "waiting_input") f.pendingInput = null;
      if (status === "idle") status = f.live ? "running" : f.status;
      f.status = status;
      return null;
    },
    input_requested(ev) {
      f.pendingInput = { request_id: ev.request_id || "", prompt: ev.prompt || "", agent: ev.agent || "" };
      f.status = "waiting_input";
      return null;
    },
    feedback(ev) {
      return push({ type: "feedback", label: ev.label, score: ev.score, comment: ev.comment || "" });
    },
  };

  f.add = (ev) => {
    if (f.started == null && ev.ts != null) f.started = ev.ts;
    if (!f.agent && ev.agent) f.agent = ev.agent;
    const h = handlers[ev.kind];
    return h ? h(ev) : null;
  };
  // Why Steer / Pause / Step cannot reach the reply under way (a remote agent on a plain A2A
  // server), or "" when they can.
  f.unsteerable = () => (f.live && f.openReplies.length ? f.openReplies[f.openReplies.length - 1].unsteerable : "");
  f.summary = () => ({
    status: f.status,
    agent: f.agent,
    title: f.title,
    step: f.lastStep,
    n_steps: f.steps.length,
    pending_approvals: [...f.pendingApprovals.values()],
    pending_input: f.pendingInput,
    tokens: { input: f.inputTokens, output: f.outputTokens },
    started: f.started,
    elapsed: f.started != null && f.ended != null ? Math.max(0, f.ended - f.started) : null,
    error: f.error,
    live: f.live,
  });
  return f;
}

// Text of a step, for the search box.
export function stepSearchText(s) {
  const parts = [s.agent, s.thinking, s.text, ...s.errors];
  for (const c of s.tool_calls) {
    parts.push(c.name, JSON.stringify(c.input), blockText(c.output || []));
  }
  return parts.join("\n").toLowerCase();
}
