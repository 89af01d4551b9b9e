// Experiments: the live ExperimentView shows progress and metric means as samples finish,
// sorts its table, and a click on a sample opens that run's transcript.
// Fixture: tests/ui/notebooks/experiment.ipynb (tests/ui/make_fixtures.py): 0 setup,
// 1 %load_ext, 2 the experiment (its view is the cell's output), 3 check.
import { expect, test } from '@jupyterlab/galata';
import { LONG, openFixture, outputArea, printed, runCell, shot } from './fixtures';

test.use({ autoGoto: true });

test('an experiment shows progress live and opens a sample transcript', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'experiment.ipynb');
  for (const i of [0, 1, 2]) await runCell(page, i);
  const view = outputArea(page, 2).locator('.ascope-experiment-view').first();
  await expect(view).toBeVisible({ timeout: LONG });

  // live: the progress line counts up while samples run (each takes 0.4 s, 2 at a time)
  const progress = view.locator('.ascope-exp-progress');
  await expect(progress).toContainText('/16 samples', { timeout: LONG });
  await expect(view.locator('.ascope-exp-status')).toHaveText('running', { timeout: LONG });
  await shot(page, 'experiment-1-running');
  await expect(view.locator('.ascope-exp-bar')).toHaveAttribute('aria-valuenow', /^(?!0$)\d+$/, { timeout: LONG });

  await expect(view.locator('.ascope-exp-status')).toHaveText('completed', { timeout: LONG });
  await expect(progress).toContainText('16/16 samples');
  await expect(view.locator('[data-metric="numeric"]')).toContainText('numeric: 0.75');
  await expect(view.locator('tr[data-run]')).toHaveCount(16);
  // the buttons act only where they can: nothing to pause or stop once it is done
  await expect(view.locator('button[data-cmd="stop"]')).toBeDisabled();

  // sort by the metric: the four wrong answers come first
  await view.locator('th[data-col="numeric"]').click();
  await expect(view.locator('tr[data-run] td[data-col="numeric"]').first()).toHaveText('0');

  // open the transcript of sample s3 (a wrong answer by construction)
  await view.locator('tr[data-key^="s3"]').click();
  await expect(view.locator('.ascope-exp-transcript')).toContainText('The sum is 8.', { timeout: LONG });
  await shot(page, 'experiment-2-transcript');

  await runCell(page, 3);
  expect(await printed(page, 3)).toBe('completed 16 0.75');
});
