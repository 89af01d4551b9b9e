// "Fork from here": a step's button opens an editor of its tool arguments; Run starts a fork
// whose view opens below the run and continues with the edited arguments.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, printed, runCell, shot, startRun } from './fixtures';

test('Fork from here with edited tool arguments continues with them', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'fork.ipynb');
  const view = await startRun(page);
  const badge = view.getByTestId('ascope-status');
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  await expect(view.locator('[data-step="1"]').first()).toContainText('Weather report: Paris: sunny');

  const step0 = view.locator('details.ascope-step[data-step="0"]');
  if ((await step0.getAttribute('open')) === null) await step0.locator('summary').click();
  const fork = step0.getByTestId('ascope-fork');
  await expect(fork).toHaveText('Fork from here');
  await fork.click();
  const editor = step0.getByTestId('ascope-fork-edit');
  await expect(editor).toBeVisible();
  expect(JSON.parse(await editor.inputValue())).toEqual({ city: 'Paris' });
  await editor.fill('{"city": "Oslo"');
  await step0.getByTestId('ascope-fork-run').click();
  await expect(step0.locator('.ascope-fork .ascope-error')).toContainText('Invalid JSON');
  await editor.fill('{"city": "Oslo"}');
  await step0.getByTestId('ascope-fork-run').click();

  const forked = page.locator('.ascope-fork-view[data-fork-step="0"]');
  await expect(forked).toHaveCount(1, { timeout: LONG });
  await expect(forked).toContainText('Fork of step 1');
  const forkBadge = forked.getByTestId('ascope-status');
  await expect(forkBadge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  await expect(forked.locator('.ascope-args').first()).toContainText('"city": "Oslo"');
  await expect(forked).toContainText('Weather report: Oslo: sunny');
  await expect(badge).toHaveAttribute('data-status', 'completed'); // the parent is unchanged
  await expect(view.locator('[data-step="1"]').first()).toContainText('Paris: sunny');
  await shot(page, 'fork-1-forked');

  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe(
    "True 0 {'city': 'Oslo'} Weather report: Oslo: sunny"
  );
});
