// The live view's speech player: plays an agent's speech AS IT IS SYNTHESIZED.
//
// The kernel sends speech_started / speech_chunk (base64 16-bit mono PCM) / speech_ended
// events (ascope_nb/events.py). Each chunk is scheduled on a WebAudio clock right after the
// previous one and routed into an <audio> element (a MediaStream), so the page has one real
// media element that plays, pauses and reports currentTime. The sentence being heard is
// highlighted. Stop (the run's Stop, barge-in, or this player's button) silences it at once.
//
//   const p = createSpeechPlayer(doc);  el.append(p.el);
//   p.live(events);      // events that just happened: play speech chunks now
//   p.load(events);      // a snapshot (a view opened later): show, do not play
//   p.stop();            // silence now (data-state="stopped")
//
// Test hooks: data-testid="ascope-speech" (data-state: idle | playing | stopped | done,
// data-speech-id), "ascope-speech-toggle", "ascope-speech-audio", "ascope-speech-text".

import { h, clear } from "./dom.js";
import { icon } from "./icons.js";

export function pcmFromBase64(data) {
  const bin = atob(data || "");
  const n = bin.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
    if (v >= 0x8000) v -= 0x10000;
    out[i] = v / 32768;
  }
  return out;
}

// Which [start, end) of the text is heard at time t, given scheduled chunks {t0, t1, start, end}.
export function spokenRange(scheduled, t) {
  for (const s of scheduled) if (s.t0 <= t && t < s.t1) return [s.start, s.end];
  return null;
}

export function createSpeechPlayer(doc, { autoplay = true } = {}) {
  const win = doc.defaultView || globalThis;
  const speeches = new Map(); // speech_id -> {text, rate, chunks: [ev], status}
  let current = null; // speech_id shown
  let ctx = null;
  let dest = null;
  let nextTime = 0;
  let scheduled = []; // {src, t0, t1, start, end}
  let playing = false;
  let timer = null;
  let muted = null; // speech_id silenced by a Stop: its late chunks are kept, not played

  const audio = h(doc, "audio", { "data-testid": "ascope-speech-audio", autoplay: true });
  const textEl = h(doc, "span.ascope-speech-text", { "data-testid": "ascope-speech-text" });
  const toggle = h(doc, "button.ascope-btn.ascope-speech-toggle", {
    type: "button",
    "data-testid": "ascope-speech-toggle",
    title: "Play / stop the speech",
    onclick: () => (playing ? stop() : replay()),
  });
  const el = h(doc, "div.ascope-speech", { "data-testid": "ascope-speech", "data-state": "idle", hidden: true }, toggle, textEl, audio);

  function setState(state) {
    el.setAttribute("data-state", state);
    toggle.textContent = "";
    toggle.append(icon(doc, state === "playing" ? "stop" : "play"), state === "playing" ? " Stop speech" : " Play speech");
  }
  setState("idle");

  function context() {
    if (ctx) return ctx;
    const AC = win.AudioContext || win.webkitAudioContext;
    if (!AC) return null;
    ctx = new AC();
    dest = ctx.createMediaStreamDestination();
    audio.srcObject = dest.stream;
    return ctx;
  }

  function schedule(ev, speech) {
    const c = context();
    if (!c) return;
    if (c.state === "suspended") c.resume();
    if (audio.paused) audio.play().catch(() => {});
    const samples = pcmFromBase64(ev.data);
    if (!samples.length) return;
    const buffer = c.createBuffer(1, samples.length, speech.rate || 24000);
    buffer.copyToChannel(samples, 0);
    const src = c.createBufferSource();
    src.buffer = buffer;
    src.connect(dest);
    const t0 = Math.max(c.currentTime + 0.05, nextTime);
    src.start(t0);
    nextTime = t0 + buffer.duration;
    const item = { src, t0, t1: nextTime, start: ev.text_start || 0, end: ev.text_end ?? speech.text.length };
    scheduled.push(item);
    src.onended = () => {
      scheduled = scheduled.filter((s) => s !== item);
      if (!scheduled.length && speech.status) finish();
    };
    playing = true;
    setState("playing");
    if (!timer) timer = win.setInterval(highlight, 100);
  }

  function highlight() {
    const speech = speeches.get(current);
    if (!speech || !ctx) return;
    renderText(speech, playing ? spokenRange(scheduled, ctx.currentTime) : null);
  }

  function renderText(speech, range) {
    clear(textEl);
    const text = speech.text || "";
    if (!range) {
      textEl.append(text);
      return;
    }
    textEl.append(
      text.slice(0, range[0]),
      h(doc, "mark.ascope-speaking", { "data-testid": "ascope-speaking" }, text.slice(range[0], range[1])),
      text.slice(range[1]),
    );
  }

  function silence() {
    for (const s of scheduled) {
      try {
        s.src.onended = null;
        s.src.stop();
      } catch {}
    }
    scheduled = [];
    nextTime = 0;
    playing = false;
    if (timer) win.clearInterval(timer);
    timer = null;
  }

  function stop() {
    muted = current;
    silence();
    if (!audio.paused) audio.pause();
    setState(current ? "stopped" : "idle");
    const speech = speeches.get(current);
    if (speech) renderText(speech, null);
  }

  function finish() {
    silence();
    setState("done");
    const speech = speeches.get(current);
    if (speech) renderText(speech, null);
  }

  function replay() {
    const speech = speeches.get(current);
    if (!speech) return;
    muted = null;
    silence();
    for (const ev of speech.chunks) schedule(ev, speech);
  }

  function show(id) {
    current = id;
    el.hidden = false;
    el.setAttribute("data-speech-id", id);
    renderText(speeches.get(id), null);
    toggle.hidden = false;
  }

  function on(ev, play) {
    if (ev.kind === "speech_started") {
      if (play) silence(); // a new speech replaces the one playing
      speeches.set(ev.speech_id, { text: ev.text || "", rate: ev.sample_rate || 24000, chunks: [], status: null });
      show(ev.speech_id);
      if (!play) setState("done");
    } else if (ev.kind === "speech_chunk") {
      const speech = speeches.get(ev.speech_id);
      if (!speech) return;
      speech.chunks.push(ev);
      if (play && ev.speech_id === current && muted !== current) schedule(ev, speech);
    } else if (ev.kind === "speech_ended") {
      const speech = speeches.get(ev.speech_id);
      if (!speech) return;
      speech.status = ev.status || "completed";
      el.setAttribute("data-speech-status", speech.status);
      if (ev.speech_id !== current) return;
      if (speech.status !== "completed") stop(); // Stop / barge-in: silence at once
      else if (!playing) setState(play ? "done" : el.getAttribute("data-state"));
    }
  }

  return {
    el,
    audio,
    live(events) {
      for (const ev of events || []) on(ev, autoplay);
    },
    load(events) {
      for (const ev of events || []) on(ev, false);
      // a snapshot carries no audio (the timeline's audio message plays it): no Play here
      const speech = speeches.get(current);
      if (speech && !speech.chunks.length) toggle.hidden = true;
    },
    stop,
    get playing() {
      return playing;
    },
    destroy() {
      silence();
      if (ctx) ctx.close().catch(() => {});
    },
  };
}
