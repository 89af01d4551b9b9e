// %tune: the live training view renders (progress line, bar, loss curve), Stop stops the
// training with a checkpoint, Resume continues it to the total, and the finished view is
// replaced by its kernel-free summary (adapter name, steps, final loss).
// Fixture: tests/ui/notebooks/tune.ipynb (tests/ui/make_fixtures.py): 0 setup, 1 %load_ext,
// 2 %tune (the dataset, then the view), 3 check.
import { expect, test } from '@jupyterlab/galata';
import { LONG, openFixture, outputArea, printed, runCell, shot } from './fixtures';

test.use({ autoGoto: true });

test('%tune shows the training live; Stop and Resume work', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'tune.ipynb');
  for (const i of [0, 1, 2]) await runCell(page, i);
  const out = outputArea(page, 2);
  await expect(out.locator('.ascope-tune-dataset')).toContainText('20 samples from 0 runs, 0 rejected', { timeout: LONG });
  const view = out.locator('.ascope-tune-view').first();
  await expect(view).toBeVisible({ timeout: LONG });

  // live: the step counts up and the curve has points while the cell has returned
  await expect(view.locator('.ascope-tune-status')).toHaveText('training', { timeout: LONG });
  await expect(view.locator('.ascope-tune-progress')).toContainText(/step [2-9]\/20/, { timeout: LONG });
  await expect(view.locator('.ascope-tune-progress')).toContainText('ETA');
  await expect(view.locator('.ascope-tune-bar')).toHaveAttribute('aria-valuenow', /^[1-9]\d*$/);
  await expect(view.locator('polyline')).toHaveAttribute('points', / /);
  await shot(page, 'tune-1-training');

  // Stop: the training ends after its current step, resumable
  await view.locator('button[data-cmd="stop"]').click();
  await expect(view.locator('.ascope-tune-status')).toHaveText('stopped', { timeout: LONG });
  await expect(view.locator('.ascope-tune-artifact')).toHaveText('adapter ui-fix:v1');
  await expect(view.locator('button[data-cmd="stop"]')).toBeDisabled();
  const stoppedAt = await view.locator('.ascope-tune-bar').getAttribute('aria-valuenow');
  expect(Number(stoppedAt)).toBeLessThan(20);
  await page.waitForTimeout(1500); // nothing moves while stopped
  await expect(view.locator('.ascope-tune-bar')).toHaveAttribute('aria-valuenow', stoppedAt!);
  await shot(page, 'tune-2-stopped');

  // Resume: the next version continues from the checkpoint to step 20
  await expect(view.locator('button[data-cmd="resume"]')).toBeEnabled();
  await view.locator('button[data-cmd="resume"]').click();
  await expect(view.locator('.ascope-tune-artifact')).toContainText('ui-fix:v2 (resumed from v1)', { timeout: LONG });

  // finished: the widget is replaced by the saved summary, which needs no kernel
  const saved = out.locator('.ascope-tune-saved');
  await expect(saved).toContainText('step 20/20', { timeout: LONG });
  await expect(saved).toContainText('ui-fix:v2');
  await expect(saved).toContainText('resumed from v1');
  await expect(saved.locator('svg polyline')).toHaveCount(1);
  await shot(page, 'tune-3-completed');

  await runCell(page, 3);
  expect(await printed(page, 3)).toBe('completed 20 ui-fix:v2 v1');
});
