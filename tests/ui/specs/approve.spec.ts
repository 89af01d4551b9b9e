// Approval: a tool that needs approval waits; Deny records the denial and the agent goes on.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, printed, runCell, shot, startRun } from './fixtures';

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

  await deny.click();
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  const call = view.locator('.ascope-tool[data-tool-call-id]').first();
  await expect(call).toHaveAttribute('data-state', 'denied');
  await expect(call.locator('[data-decision="denied"]')).toHaveCount(1);
  await expect(view.getByTestId('ascope-deny')).toHaveCount(0);
  // the final answer (second model reply) is in the transcript
  await expect(view.locator('[data-step="1"]')).toContainText('I left old_notes.txt in place');
  await shot(page, 'approve-2-denied');

  await runCell(page, CELL.check);
  // status, the tool never ran, the model was told of the denial, two model calls
  expect(await printed(page, CELL.check)).toBe('completed [] True 2');
});
