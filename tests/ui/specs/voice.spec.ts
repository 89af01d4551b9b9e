// Voice: talk to an agent through the view's microphone, hear it answer, interrupt it.
//
// Chromium gets a fake microphone playing a WAV written here (a 2 s tone), grants it without
// asking, and may autoplay. The agent is a ReActAgent with a fake recogniser, a scripted
// model and a fake TTS that streams an audible melody (tests/ui/notebooks/voice.ipynb).
// Checks: the answer plays AS IT IS SYNTHESIZED (the <audio> element is playing and its
// currentTime advances, the sentence heard is highlighted); starting a second recording
// silences it at once (barge-in), the kernel cancels that reply and answers the new one; the
// run's Stop silences a third answer at once and ends the conversation.
import { expect, test } from '@jupyterlab/galata';
import { LONG, openFixture, outputArea, printed, runCell, shot } from './fixtures';
import { audioState, MIC_LAUNCH, speak } from './voice_mic';

const CELL = { setup: 0, loadExt: 1, chat: 2, check: 3 } as const;

test.use({ autoGoto: true, launchOptions: MIC_LAUNCH });

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

  // 4. one more story, and the run's Stop: silent at once, the conversation ends
  await speak(view, 1000);
  await expect(speech).toHaveAttribute('data-state', 'playing', { timeout: LONG });
  // read in the same task as the click (the ended run's output replaces the view soon after)
  const stopped = await view.evaluate(root => {
    (root.querySelector('[data-testid="ascope-stop"]') as HTMLButtonElement).click();
    const audio = root.querySelector('[data-testid="ascope-speech-audio"]') as HTMLAudioElement;
    return { state: root.querySelector('[data-testid="ascope-speech"]')!.getAttribute('data-state'), paused: audio.paused };
  });
  expect(stopped).toEqual({ state: 'stopped', paused: true });
  await expect(outputArea(page, CELL.chat).getByTestId('ascope-status').first()).toHaveAttribute(
    'data-status',
    'interrupted',
    { timeout: LONG }
  );
  await shot(page, 'voice-3-stopped');

  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe(
    '[["reply_started", null], ["speech_ended", "interrupted"], ["reply_ended", "interrupted"], ' +
      '["reply_started", null], ["speech_ended", "completed"], ["reply_ended", "completed"], ' +
      '["reply_started", null], ["speech_ended", "interrupted"], ["reply_ended", "interrupted"]] ' +
      '[(16000, True), (16000, True), (16000, True)] interrupted'
  );
});
