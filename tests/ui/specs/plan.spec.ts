// The plan panel of the run view: it appears when the agent makes a plan, a person renames
// and abandons subtasks with its buttons while the plan waits for approval, approves it,
// watches the subtasks finish live, and still sees the final plan after the notebook is
// reopened without a kernel.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, outputArea, printed, runCell, shot, startRun, waitKernelIdle } from './fixtures';

test('A plan is edited, approved, followed live and kept in the saved notebook', async ({
  page,
  tmpPath
}) => {
  const remote = await openFixture(page, tmpPath, 'plan.ipynb');
  const view = await startRun(page);
  const plan = view.getByTestId('ascope-plan');
  const rows = plan.getByTestId('ascope-plan-row');

  // the agent made a plan and waits for approval
  await expect(plan.getByTestId('ascope-plan-waiting')).toBeVisible({ timeout: LONG });
  await expect(rows).toHaveCount(3);
  await expect(plan.getByTestId('ascope-plan-title')).toHaveText('Oslo weekend');
  await shot(page, 'plan-1-waiting');

  // rename subtask 1 with the pencil button and Enter
  await rows.nth(1).getByTestId('ascope-plan-rename').click();
  const input = plan.getByTestId('ascope-plan-rename-input');
  await input.fill('Book a night train');
  await input.press('Enter');
  await expect(rows.nth(1).locator('.ascope-plan-name')).toHaveText('Book a night train', {
    timeout: LONG
  });
  // abandon subtask 2
  await rows.nth(2).getByTestId('ascope-plan-abandon').click();
  await expect(rows.nth(2)).toHaveAttribute('data-state', 'abandoned', { timeout: LONG });
  await shot(page, 'plan-2-edited');

  // approve: the run goes on and the plan updates live until it is done
  await plan.getByTestId('ascope-plan-approve').click();
  await expect(plan.getByTestId('ascope-plan-waiting')).toHaveCount(0, { timeout: LONG });
  await expect(view.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', {
    timeout: LONG
  });
  await expect(plan.getByTestId('ascope-plan-state')).toHaveText('done');
  await expect(rows.nth(0)).toHaveAttribute('data-state', 'done');
  await expect(rows.nth(1)).toHaveAttribute('data-state', 'done');
  await expect(rows.nth(2)).toHaveAttribute('data-state', 'abandoned');
  await expect(rows.nth(1)).toContainText('Night train 22:50');
  await expect(plan.locator('.ascope-plan-btn')).toHaveCount(0); // an ended run: no buttons
  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe('completed True'); // the edit reached the model
  await shot(page, 'plan-3-done');

  // save, drop the kernel, reopen: the final plan comes from the saved output
  expect(await page.notebook.save()).toBe(true);
  await page.kernel.shutdownAll();
  expect(await page.notebook.close()).toBe(true);
  expect(await page.notebook.openByPath(remote)).toBe(true);
  await page.notebook.activate('plan.ipynb');
  await waitKernelIdle(page);
  await page.kernel.shutdownAll();
  expect(await page.kernel.isAnyRunning()).toBe(false);
  const out = outputArea(page, CELL.ask);
  await out.scrollIntoViewIfNeeded();
  // the lab extension draws the plan panel from the saved events (the HTML transcript, for
  // viewers without it, marks the rows the same way: data-state on each subtask)
  await expect(out).toContainText('Book a night train', { timeout: LONG });
  await expect(out.locator('[data-state="abandoned"]').first()).toBeVisible();
  await expect(out.getByTestId('ascope-plan').first()).toBeVisible();
  await expect(out).not.toContainText('Error displaying widget');
  await shot(page, 'plan-4-reopened');
});
