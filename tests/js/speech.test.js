// The live view's speech player and microphone upload (speech.js, voice.js): PCM decoding,
// scheduling chunks back to back as they arrive, highlighting the sentence heard, Stop and
// a failed/interrupted speech silencing at once, a snapshot shown but never played; WAV
// encoding and the chunked upload protocol of views/_voice_upload.py.
// Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { createSpeechPlayer, pcmFromBase64, spokenRange } from "../../ascope_nb/views/static/speech.js";
import { uploadMessages, wavBytes, VOICE_PIECE } from "../../ascope_nb/views/static/voice.js";

// A fake WebAudio clock: records every source started and stopped.
function fakeAudio(window) {
  const log = { started: [], stopped: 0 };
  class FakeContext {
    constructor() {
      this.currentTime = 0;
      this.state = "running";
    }
    createMediaStreamDestination() {
      return { stream: {} };
    }
    createBuffer(channels, length, rate) {
      return { duration: length / rate, copyToChannel() {} };
    }
    createBufferSource() {
      const src = { connect() {}, start: (t) => log.started.push(t), stop: () => (log.stopped += 1) };
      return src;
    }
    resume() {}
    close() {
      return Promise.resolve();
    }
  }
  window.AudioContext = FakeContext;
  window.setInterval = () => 1;
  window.clearInterval = () => {};
  return log;
}

function setup() {
  const { document, window } = parseHTML("<!doctype html><html><body></body></html>");
  const log = fakeAudio(window);
  const player = createSpeechPlayer(document);
  // linkedom's <audio> has no media API: give it one
  player.audio.paused = true;
  player.audio.play = () => ((player.audio.paused = false), Promise.resolve());
  player.audio.pause = () => (player.audio.paused = true);
  return { document, player, log };
}

const b64 = (samples) => Buffer.from(new Int16Array(samples).buffer).toString("base64");
const started = { kind: "speech_started", speech_id: "s1", text: "Hi there. Bye.", sample_rate: 1000 };
const chunk = (index, start, end) => ({ kind: "speech_chunk", speech_id: "s1", index, data: b64(new Array(500).fill(1000)), text_start: start, text_end: end });

test("PCM16 base64 decodes to floats, sign included", () => {
  assert.deepEqual(Array.from(pcmFromBase64(b64([0, 16384, -32768]))), [0, 0.5, -1]);
});

test("the range heard is the chunk playing now", () => {
  const s = [{ t0: 0, t1: 1, start: 0, end: 9 }, { t0: 1, t1: 2, start: 10, end: 14 }];
  assert.deepEqual(spokenRange(s, 0.5), [0, 9]);
  assert.deepEqual(spokenRange(s, 1.5), [10, 14]);
  assert.equal(spokenRange(s, 3), null);
});

test("live chunks play at once, back to back, and the media element plays", () => {
  const { player, log } = setup();
  player.live([started, chunk(0, 0, 9)]);
  assert.equal(player.el.getAttribute("data-state"), "playing");
  assert.equal(player.audio.paused, false);
  player.live([chunk(1, 0, 9), chunk(2, 10, 14)]);
  assert.deepEqual(log.started.map((t) => +t.toFixed(2)), [0.05, 0.55, 1.05]); // 0.5 s each
  assert.equal(player.el.querySelector("[data-testid=ascope-speech-text]").textContent, "Hi there. Bye.");
});

test("Stop silences every scheduled chunk and pauses the element", () => {
  const { player, log } = setup();
  player.live([started, chunk(0, 0, 9), chunk(1, 10, 14)]);
  player.stop();
  assert.equal(log.stopped, 2);
  assert.equal(player.audio.paused, true);
  assert.equal(player.el.getAttribute("data-state"), "stopped");
  assert.equal(player.playing, false);
});

test("chunks arriving after Stop (already on their way) do not restart the speech", () => {
  const { player, log } = setup();
  player.live([started, chunk(0, 0, 9)]);
  player.stop();
  player.live([chunk(1, 0, 9), chunk(2, 10, 14)]);
  assert.equal(log.started.length, 1);
  assert.equal(player.audio.paused, true);
  assert.equal(player.el.getAttribute("data-state"), "stopped");
  player.el.querySelector("[data-testid=ascope-speech-toggle]").click(); // Play: all of it again
  assert.equal(log.started.length, 4);
});

test("an interrupted speech (Stop from code, barge-in) stops playback when the kernel says so", () => {
  const { player, log } = setup();
  player.live([started, chunk(0, 0, 9)]);
  player.live([{ kind: "speech_ended", speech_id: "s1", status: "interrupted" }]);
  assert.equal(log.stopped, 1);
  assert.equal(player.el.getAttribute("data-speech-status"), "interrupted");
  assert.equal(player.el.getAttribute("data-state"), "stopped");
});

test("a snapshot (a view opened later) shows the speech without playing it; Play replays it", () => {
  const { player, log } = setup();
  player.load([started, chunk(0, 0, 9), chunk(1, 10, 14), { kind: "speech_ended", speech_id: "s1", status: "completed" }]);
  assert.equal(log.started.length, 0);
  assert.equal(player.el.hidden, false);
  player.el.querySelector("[data-testid=ascope-speech-toggle]").click();
  assert.equal(log.started.length, 2);
  assert.equal(player.el.getAttribute("data-state"), "playing");
});

test("a recording is a 16-bit mono WAV", () => {
  const wav = wavBytes(new Float32Array([0, 1, -1]), 16000);
  const view = new DataView(wav.buffer);
  assert.equal(Buffer.from(wav.subarray(0, 4)).toString(), "RIFF");
  assert.equal(view.getUint32(24, true), 16000);
  assert.equal(view.getUint16(34, true), 16);
  assert.deepEqual([view.getInt16(44, true), view.getInt16(46, true), view.getInt16(48, true)], [0, 32767, -32768]);
});

test("an upload is begin, pieces of at most VOICE_PIECE bytes, end", () => {
  const bytes = new Uint8Array(VOICE_PIECE * 2 + 10).map((_, i) => i % 251);
  const msgs = uploadMessages(bytes, "u1");
  assert.deepEqual(msgs[0], { cmd: "voice_begin", upload_id: "u1", media_type: "audio/wav", size: bytes.length, chunks: 3 });
  assert.deepEqual(msgs.slice(1, 4).map((m) => [m.cmd, m.index]), [["voice_chunk", 0], ["voice_chunk", 1], ["voice_chunk", 2]]);
  const back = Buffer.concat(msgs.slice(1, 4).map((m) => Buffer.from(m.data, "base64")));
  assert.deepEqual(new Uint8Array(back), bytes);
  assert.deepEqual(msgs[4], { cmd: "voice_end", upload_id: "u1" });
});

test("a reply's whole speech is a message of the fold, as in the Python fold; a saved file is a link", async () => {
  const { createFold } = await import("../../ascope_nb/views/static/fold.js");
  const { blocksNodes } = await import("../../ascope_nb/views/static/dom.js");
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const fold = createFold();
  const audio = { type: "audio", source: { type: "url", url: "ascope_audio/r1-m2.wav", media_type: "audio/wav" } };
  for (const ev of [
    { kind: "run_started", run_id: "r1", agent: "F", input: [] },
    { kind: "reply_started", run_id: "r1", agent: "F", reply_id: "p1" },
    { kind: "step_started", run_id: "r1", agent: "F", reply_id: "p1", step: 0 },
    { kind: "message_completed", run_id: "r1", agent: "F", reply_id: "p1", added_to_memory: false,
      msg: { id: "m2", name: "F", role: "assistant", content: [audio], metadata: { speech_of: "m1" } } },
  ]) fold.add(ev);
  const spoken = fold.items.filter((i) => i.type === "message");
  assert.equal(spoken.length, 1);
  const [link] = blocksNodes(document, spoken[0].msg.content);
  assert.equal(link.tagName.toLowerCase(), "a");
  assert.equal(link.getAttribute("href"), "ascope_audio/r1-m2.wav");
  const [refused] = blocksNodes(document, [{ type: "audio", source: { type: "url", url: "../../etc/x.wav" } }]);
  assert.equal(refused.textContent, "[audio]");
});

test("a snapshot without audio (the kernel leaves chunks out) offers no Play button", () => {
  const { player } = setup();
  player.load([started, { kind: "speech_ended", speech_id: "s1", status: "completed" }]);
  assert.equal(player.el.hidden, false);
  assert.equal(player.el.querySelector("[data-testid=ascope-speech-toggle]").hidden, true);
});
