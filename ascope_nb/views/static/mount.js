// Wires an anywidget model (summary traits + custom messages) to a run/hub renderer.
// Protocol: on render it asks {cmd: "snapshot", nonce}; the kernel answers with
// {type: "snapshot", nonce, first, done, events} chunks, then streams {type: "events"}.

import { createForkViews } from "./fork.js";

const SUMMARY_KEYS = ["status", "agent", "title", "step", "n_steps", "pending_approvals", "pending_input", "tokens", "started", "elapsed", "error", "live", "interactive"];

export function mountRunWidget(model, el, create) {
  const renderer = create(el, {
    onCommand: (cmd) => model.send(cmd),
    live: !!model.get("live"),
    interactive: !!model.get("interactive"),
    forkable: !!model.get("forkable"),
  });
  const forks = createForkViews(el, create); // "Fork from here": the new runs, below
  const nonce = Math.random().toString(36).slice(2);
  const onSummary = () => {
    const s = {};
    for (const k of SUMMARY_KEYS) s[k] = model.get(k);
    renderer.setSummary(s);
  };
  const onMsg = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "events") renderer.addEvents(msg.events);
    else if (msg.type === "snapshot" && msg.nonce === nonce) {
      if (msg.first) renderer.setEvents(msg.events);
      else renderer.addEvents(msg.events);
    } else if (msg.type === "notice") renderer.notice(msg.text);
    else if (msg.type === "fork" || msg.type === "fork_events") forks.on(msg);
  };
  model.on("msg:custom", onMsg);
  for (const k of SUMMARY_KEYS) model.on(`change:${k}`, onSummary);
  onSummary();
  model.send({ cmd: "snapshot", nonce });
  const timer = setInterval(() => renderer.tick(), 1000);
  return () => {
    clearInterval(timer);
    model.off("msg:custom", onMsg);
    for (const k of SUMMARY_KEYS) model.off(`change:${k}`, onSummary);
    renderer.destroy();
    forks.destroy();
  };
}
