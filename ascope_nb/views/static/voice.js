// The microphone button of a voice view: record in the browser, send to the kernel.
//
// getUserMedia + MediaRecorder record; the recording is decoded here (decodeAudioData) and
// sent as 16 kHz 16-bit mono WAV, so the kernel needs no codec and no audio device. The
// upload goes over the widget comm in base64 pieces (views/_voice_upload.py):
//   {cmd: "barge_in"}                                   the moment recording starts
//   {cmd: "voice_begin", upload_id, media_type, size, chunks}
//   {cmd: "voice_chunk", upload_id, index, data}        at most VOICE_PIECE raw bytes each
//   {cmd: "voice_end", upload_id}
// Click to start, click again to send (or after VOICE_MAX_SECONDS). Browsers give the
// microphone only to secure pages (https, or localhost): elsewhere the button says so.
//
// Test hooks: data-testid="ascope-mic" (data-state: idle | recording | sending | error).

import { h } from "./dom.js";
import { icon } from "./icons.js";

export const VOICE_RATE = 16000;
export const VOICE_PIECE = 192 * 1024; // raw bytes per piece: 256 KiB of base64
export const VOICE_MAX_SECONDS = 60;

// Float32 mono samples -> a 16-bit PCM WAV file (Uint8Array).
export function wavBytes(samples, rate) {
  const out = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(out.buffer);
  const text = (at, s) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + 2 * i, v < 0 ? v * 0x8000 : v * 0x7fff, true);
  }
  return out;
}

// The upload messages of one recording (bytes: Uint8Array).
export function uploadMessages(bytes, uploadId, mediaType = "audio/wav") {
  const pieces = [];
  for (let at = 0; at < bytes.length; at += VOICE_PIECE) {
    let bin = "";
    const part = bytes.subarray(at, at + VOICE_PIECE);
    for (let i = 0; i < part.length; i += 8192) bin += String.fromCharCode.apply(null, part.subarray(i, i + 8192));
    pieces.push(btoa(bin));
  }
  return [
    { cmd: "voice_begin", upload_id: uploadId, media_type: mediaType, size: bytes.length, chunks: pieces.length },
    ...pieces.map((data, index) => ({ cmd: "voice_chunk", upload_id: uploadId, index, data })),
    { cmd: "voice_end", upload_id: uploadId },
  ];
}

async function recordingToWav(win, blob) {
  const raw = await blob.arrayBuffer();
  const AC = win.AudioContext || win.webkitAudioContext;
  const decoder = new AC();
  try {
    const decoded = await decoder.decodeAudioData(raw);
    const frames = Math.max(1, Math.ceil(decoded.duration * VOICE_RATE));
    const offline = new win.OfflineAudioContext(1, frames, VOICE_RATE); // mixes down, resamples
    const src = offline.createBufferSource();
    src.buffer = decoded;
    src.connect(offline.destination);
    src.start();
    const rendered = await offline.startRendering();
    return wavBytes(rendered.getChannelData(0), VOICE_RATE);
  } finally {
    decoder.close().catch(() => {});
  }
}

export function createMicButton(doc, { send, onStart = () => {}, onNotice = () => {} }) {
  const win = doc.defaultView || globalThis;
  let recorder = null;
  let stream = null;
  let parts = [];
  let limit = null;
  let count = 0;

  const button = h(doc, "button.ascope-btn.ascope-mic", {
    type: "button",
    "data-testid": "ascope-mic",
    title: "Talk to the agent (click again to send)",
    onclick: () => (recorder ? finish() : begin()),
  });
  const setState = (state, label) => {
    button.setAttribute("data-state", state);
    button.textContent = "";
    button.append(icon(doc, state === "recording" ? "stop" : "mic"), ` ${label}`);
  };
  setState("idle", "Talk");

  async function begin() {
    const media = win.navigator && win.navigator.mediaDevices;
    if (!media || !media.getUserMedia || !win.MediaRecorder) {
      setState("error", "Talk");
      onNotice("microphone unavailable: the page must be served over https (or localhost)");
      return;
    }
    onStart(); // barge-in: silence the agent now
    send({ cmd: "barge_in" });
    try {
      stream = await media.getUserMedia({ audio: true });
    } catch (err) {
      setState("error", "Talk");
      onNotice(`microphone refused: ${err && err.message ? err.message : err}`);
      return;
    }
    parts = [];
    recorder = new win.MediaRecorder(stream);
    recorder.ondataavailable = (e) => {
      if (e.data && e.data.size) parts.push(e.data);
    };
    recorder.onstop = () => upload(new Blob(parts, { type: recorder ? recorder.mimeType : "" }));
    recorder.start(250);
    limit = win.setTimeout(finish, VOICE_MAX_SECONDS * 1000);
    setState("recording", "Send");
  }

  function finish() {
    if (!recorder) return;
    win.clearTimeout(limit);
    setState("sending", "Sending…");
    recorder.stop();
    for (const track of stream.getTracks()) track.stop();
  }

  async function upload(blob) {
    recorder = null;
    try {
      const wav = await recordingToWav(win, blob);
      count += 1;
      for (const msg of uploadMessages(wav, `rec-${Date.now().toString(36)}-${count}`)) send(msg);
      setState("idle", "Talk");
    } catch (err) {
      setState("error", "Talk");
      onNotice(`the recording could not be read: ${err && err.message ? err.message : err}`);
    }
  }

  return {
    el: button,
    get recording() {
      return !!recorder;
    },
    destroy() {
      win.clearTimeout(limit);
      if (recorder) recorder.onstop = null;
      if (recorder && recorder.state !== "inactive") recorder.stop();
      if (stream) for (const track of stream.getTracks()) track.stop();
    },
  };
}
