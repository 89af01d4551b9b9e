// Stop: clicking the Stop button of a live run interrupts it.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, press, printed, runCell, shot, startRun } from './fixtures';

test.use({ autoGoto: true });

test('Stop during a streaming run ends it as "interrupted"', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'stop.ipynb');
  const view = await startRun(page);
  const badge = view.getByTestId('ascope-status');

  // the model is streaming (token_delay=0.05 s over ~100 tokens, then a 120 s tool)
  await expect(badge).toHaveAttribute('data-status', 'running');
  await expect(view.locator('[data-step="0"]')).toBeVisible({ timeout: LONG });
  await shot(page, 'stop-1-running');

  // acknowledged at once (read in the same task as the click): nothing else acts any more
  expect(await press(view, 'stop')).toEqual({
    notice: 'stopping…',
    badge: 'stopping',
    status: 'running',
    enabled: []
  });
  await expect(badge).toHaveAttribute('data-status', 'interrupted', { timeout: LONG });
  await expect(badge).toHaveText('interrupted');
  // a run that is no longer live offers no Stop button
  await expect(view.getByTestId('ascope-stop')).toHaveCount(0);
  // a Stop is the person's decision: no error block, no warning sign, said in the summary
  await expect(view.locator('.ascope-error')).toHaveCount(0);
  await expect(view.locator('.ascope-flag')).toHaveCount(0);
  await expect(view.locator('details.ascope-step summary .ascope-chip[data-human="stopped"]').first()).toHaveText(
    /stopped by you/
  );
  await shot(page, 'stop-2-interrupted');

  await runCell(page, CELL.check);
  // status, and how many model calls were made: the final answer was never requested
  expect(await printed(page, CELL.check)).toBe('interrupted 1');
});
