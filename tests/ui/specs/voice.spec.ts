// Voice: talk to an agent through the view's microphone, hear it answer, interrupt it.
//
// Chromium gets a fake microphone playing a WAV written here (a 2 s tone), grants it without
// asking, and may autoplay. The agent is a ReActAgent with a fake recogniser, a scripted
// model and a fake TTS that streams an audible melody (tests/ui/notebooks/voice.ipynb).
// Checks: the answer plays AS IT IS SYNTHESIZED (the <audio> element is playing and its
// currentTime advances, the sentence heard is highlighted); starting a second recording
// silences it at once (barge-in), the kernel cancels that reply and answers the new one.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { LONG, openFixture, outputArea, printed, runCell, shot } from './fixtures';

const CELL = { setup: 0, loadExt: 1, chat: 2, check: 3 } as const;

/** A 16-bit mono WAV of a tone: what the fake microphone "hears". */
function writeToneWav(file: string, seconds = 2, rate = 48000): void {
  const n = seconds * rate;
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 330 * i) / rate)), 44 + 2 * i);
  fs.writeFileSync(file, buf);
}

const MIC_WAV = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ascope-voice-')), 'mic.wav');
writeToneWav(MIC_WAV);

test.use({
  autoGoto: true,
  launchOptions: {
    executablePath: process.env.ASCOPE_UI_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${MIC_WAV}`,
      '--autoplay-policy=no-user-gesture-required'
    ]
  }
});

/** The speech <audio> element's playback state. */
async function audioState(view: Locator): Promise<{ paused: boolean; time: number }> {
  return view.evaluate(root => {
    const audio = root.querySelector('[data-testid="ascope-speech-audio"]') as HTMLAudioElement;
    return { paused: audio.paused, time: audio.currentTime };
  });
}

/** Record about `ms` of the fake microphone and send it. */
async function speak(view: Locator, ms: number): Promise<void> {
  const mic = view.getByTestId('ascope-mic');
  await expect(mic).toHaveAttribute('data-state', /idle|error/);
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'recording');
  await view.page().waitForTimeout(ms);
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'idle', { timeout: LONG });
}

test('speak to an agent, hear it answer as it is synthesized, interrupt it by speaking', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'voice.ipynb');
  for (const i of [CELL.setup, CELL.loadExt, CELL.chat]) await runCell(page, i);
  const view = outputArea(page, CELL.chat).locator('.ascope-root').first();
  await expect(view).toBeVisible({ timeout: LONG });
  const speech = view.getByTestId('ascope-speech');

  // 1. the first utterance: the answer plays while it is still being synthesized
  await speak(view, 1500);
  await expect(speech).toHaveAttribute('data-state', 'playing', { timeout: LONG });
  const first = await speech.getAttribute('data-speech-id');
  expect(await speech.getAttribute('data-speech-status')).toBeNull(); // not ended: streaming
  const t1 = await audioState(view);
  await page.waitForTimeout(1200);
  const t2 = await audioState(view);
  expect(t2.paused).toBe(false);
  expect(t2.time).toBeGreaterThan(t1.time + 0.5);
  await expect(view.getByTestId('ascope-speaking')).toContainText('Once upon a time');
  await shot(page, 'voice-1-speaking');

  // 2. speaking again interrupts it: silence at once, in the browser...
  const mic = view.getByTestId('ascope-mic');
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'recording');
  await expect(speech).toHaveAttribute('data-state', 'stopped');
  expect((await audioState(view)).paused).toBe(true);
  // ...and in the kernel: the first speech ends as interrupted
  await expect(speech).toHaveAttribute('data-speech-status', 'interrupted', { timeout: LONG });
  await page.waitForTimeout(1000);
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'idle', { timeout: LONG });

  // 3. the second reply arrives and is spoken
  await expect(speech).not.toHaveAttribute('data-speech-id', first!, { timeout: LONG });
  await expect(view.getByTestId('ascope-speech-text')).toHaveText('Brief.', { timeout: LONG });
  await expect(speech).toHaveAttribute('data-speech-status', 'completed', { timeout: LONG });
  await shot(page, 'voice-2-second-answer');

  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe(
    '[["reply_started", null], ["speech_ended", "interrupted"], ["reply_ended", "interrupted"], ' +
      '["reply_started", null], ["speech_ended", "completed"], ["reply_ended", "completed"]] ' +
      '[(16000, True), (16000, True)]'
  );
});
