// Approval: a tool that needs approval waits; Deny records the denial and the agent goes on.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, press, printed, runCell, shot, startRun } from './fixtures';

test('Deny a tool call that needs approval; the agent goes on', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'approve.ipynb');
  const view = await startRun(page);
  const badge = view.getByTestId('ascope-status');

  await expect(badge).toHaveAttribute('data-status', 'waiting_approval', { timeout: LONG });
  await expect(badge).toHaveText('waiting approval');
  const deny = view.getByTestId('ascope-deny');
  await expect(deny).toHaveCount(1);
  await expect(view.getByTestId('ascope-approve')).toHaveCount(1);
  await shot(page, 'approve-1-waiting');

  await view.getByTestId('ascope-deny-reason').fill('keep my notes');
  await deny.click();
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  const call = view.locator('.ascope-tool[data-tool-call-id]').first();
  await expect(call).toHaveAttribute('data-state', 'denied');
  await expect(call.locator('[data-decision="denied"]')).toHaveCount(1);
  // said once, as the person's decision, and visible in the collapsed step's summary
  const head = (await call.locator('.ascope-tool-head').textContent()) || '';
  expect(head.match(/denied/g)?.length).toBe(1);
  expect(head).toContain('denied by you: keep my notes');
  const step0 = view.locator('details.ascope-step[data-step="0"]');
  await expect(step0).not.toHaveAttribute('open', '');
  await expect(step0.locator('summary .ascope-chip[data-human="denied"]')).toHaveText(
    /denied delete_file: keep my notes/
  );
  await expect(view.locator('.ascope-flag')).toHaveCount(0);
  await expect(view.getByTestId('ascope-deny')).toHaveCount(0);
  // the final answer (second model reply) is in the transcript
  await expect(view.locator('[data-step="1"]')).toContainText('I left old_notes.txt in place');
  await shot(page, 'approve-2-denied');

  await runCell(page, CELL.check);
  // status, the tool never ran, the model was told of the denial, two model calls
  expect(await printed(page, CELL.check)).toBe('completed [] True 2');
});

test('Stop while a tool call waits for approval ends the run as the person\'s stop', async ({
  page,
  tmpPath
}) => {
  await openFixture(page, tmpPath, 'approve.ipynb');
  const view = await startRun(page);
  const badge = view.getByTestId('ascope-status');
  await expect(badge).toHaveAttribute('data-status', 'waiting_approval', { timeout: LONG });
  expect(await press(view, 'stop')).toEqual({
    notice: 'stopping…',
    badge: 'stopping',
    status: 'waiting_approval',
    enabled: []
  });
  await expect(badge).toHaveAttribute('data-status', 'interrupted', { timeout: LONG });
  await expect(badge).toHaveText('interrupted');
  await expect(view.getByTestId('ascope-approve')).toHaveCount(0);
  await expect(view.locator('.ascope-error')).toHaveCount(0);
  await expect(view.locator('.ascope-flag')).toHaveCount(0);
  await shot(page, 'approve-3-stopped');
  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe('interrupted [] False 1');
});
