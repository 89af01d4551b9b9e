// The fake microphone of the voice specs: Chromium reads a WAV written here (a 2 s tone)
// as its microphone, grants it without asking, and may autoplay; helpers to talk and to read
// the speech <audio> element.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expect } from '@playwright/test';
import type { Locator } from '@playwright/test';

const LONG = 120_000;

/** A 16-bit mono WAV of a tone: what the fake microphone "hears". */
export function writeToneWav(file: string, seconds = 2, rate = 48000): void {
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

export const MIC_LAUNCH = {
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
};

/** The speech <audio> element's playback state. */
export async function audioState(view: Locator): Promise<{ paused: boolean; time: number }> {
  return view.evaluate(root => {
    const audio = root.querySelector('[data-testid="ascope-speech-audio"]') as HTMLAudioElement;
    return { paused: audio.paused, time: audio.currentTime };
  });
}

/** Record about `ms` of the fake microphone and send it. */
export async function speak(view: Locator, ms: number): Promise<void> {
  const mic = view.getByTestId('ascope-mic');
  await expect(mic).toHaveAttribute('data-state', /idle|error/);
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'recording');
  await view.page().waitForTimeout(ms);
  await mic.click();
  await expect(mic).toHaveAttribute('data-state', 'idle', { timeout: LONG });
}

