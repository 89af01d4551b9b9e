// Wires an anywidget model (summary traits + custom messages) to a run/hub renderer.
// Protocol: on render it asks {cmd: "snapshot", nonce}; the kernel answers with
// {type: "snapshot", nonce, first, done, events} chunks, then streams {type: "events"}.

import { createForkViews } from "./fork.js";
import { createSpeechPlayer } from "./speech.js";
import { createMicButton } from "./voice.js";

const SUMMARY_KEYS = ["status", "agent", "title", "step", "n_steps", "pending_approvals", "pending_input", "tokens", "started", "elapsed", "error", "live", "interactive"];

// voice: show the microphone button (VoiceView). Every view plays speech as it comes.
export function mountRunWidget(model, el, create, { voice = false } = {}) {
  let player = null;
  const renderer = create(el, {
    onCommand: (cmd) => {
      if (cmd && cmd.cmd === "stop" && player) player.stop(); // Stop silences at once
      model.send(cmd);
    },
    live: !!model.get("live"),
    interactive: !!model.get("interactive"),
    forkable: !!model.get("forkable"),
  });
  const forks = createForkViews(el, create); // "Fork from here": the new runs, below
  const doc = el.ownerDocument;
  player = createSpeechPlayer(doc);
  const root = el.querySelector(".ascope-root") || el;
  const anchor = root.querySelector(".ascope-notice");
  root.insertBefore(player.el, anchor ? anchor.nextSibling : null);
  const mic = voice
    ? createMicButton(doc, { send: (m) => model.send(m), onStart: () => player.stop(), onNotice: (t) => renderer.notice(t) })
    : null;
  const onLive = () => {
    if (mic) mic.el.hidden = !model.get("live");
  };
  if (mic) {
    root.insertBefore(mic.el, player.el);
    model.on("change:live", onLive);
    onLive();
  }
  const nonce = Math.random().toString(36).slice(2);
  const onSummary = () => {
    const s = {};
    for (const k of SUMMARY_KEYS) s[k] = model.get(k);
    renderer.setSummary(s);
  };
  const onMsg = (msg) => {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "events") {
      renderer.addEvents(msg.events);
      player.live(msg.events);
    } else if (msg.type === "snapshot" && msg.nonce === nonce) {
      if (msg.first) renderer.setEvents(msg.events);
      else renderer.addEvents(msg.events);
      player.load(msg.events); // a view opened later shows the speech, does not play it
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
    if (mic) model.off("change:live", onLive);
    renderer.destroy();
    forks.destroy();
    player.destroy();
    if (mic) mic.destroy();
  };
}
