// Voice in Notebook 7 (/notebooks/...): the same fixture and fake microphone as voice.spec.ts.
// The Talk button records and sends through the widget comm, the answer plays as it is
// synthesized, and a second recording interrupts it and gets its own answer.
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@playwright/test';
import { audioState, MIC_LAUNCH, speak } from './voice_mic';

const LONG = 120_000;
const ARTIFACTS =
  process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'ui');

test.use({ launchOptions: MIC_LAUNCH });

test('Notebook 7: talk, hear the answer, interrupt it by talking again', async ({ page, request }) => {
  const dir = `nb7-voice-${Date.now()}`;
  const file = `${dir}/voice.ipynb`;
  const nb = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'notebooks', 'voice.ipynb'), 'utf8'));
  nb.cells = nb.cells.slice(0, 3); // setup, %load_ext, the chat (its check cell is for Lab)
  expect((await request.put(`/api/contents/${dir}`, { data: { type: 'directory' } })).ok()).toBe(true);
  const put = await request.put(`/api/contents/${file}`, { data: { type: 'notebook', format: 'json', content: nb } });
  expect(put.ok()).toBe(true);

  await page.goto(`/notebooks/${file}`);
  const cells = page.locator('.jp-Notebook .jp-Cell');
  await expect(cells).toHaveCount(3, { timeout: LONG });
  await expect(page.locator('.jp-Notebook-ExecutionIndicator').first()).toHaveAttribute('data-status', 'idle', {
    timeout: LONG
  });
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Run All Cells/ }).click();
  const view = cells.nth(2).locator('.ascope-root').first();
  await expect(view).toBeVisible({ timeout: LONG });
  const speech = view.getByTestId('ascope-speech');

  await speak(view, 1500);
  await expect(speech).toHaveAttribute('data-state', 'playing', { timeout: LONG });
  const t1 = await audioState(view);
  await page.waitForTimeout(1200);
  const t2 = await audioState(view);
  expect(t2.paused).toBe(false);
  expect(t2.time).toBeGreaterThan(t1.time + 0.5);

  const mic = view.getByTestId('ascope-mic');
  await mic.click(); // barge-in
  await expect(speech).toHaveAttribute('data-state', 'stopped');
  await expect(speech).toHaveAttribute('data-speech-status', 'interrupted', { timeout: LONG });
  await page.waitForTimeout(1000);
  await mic.click();
  await expect(view.getByTestId('ascope-speech-text')).toHaveText('Brief.', { timeout: LONG });
  await expect(speech).toHaveAttribute('data-speech-status', 'completed', { timeout: LONG });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'voice-notebook7.png') });
});
