// Steer: guidance typed into the Steer box during a slow tool reaches the next model request.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, printed, runCell, shot, startRun } from './fixtures';

const GUIDANCE = 'Answer in French please'; // the same text as GUIDANCE in steer.ipynb

test('Steer guidance sent during a slow tool reaches the agent', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'steer.ipynb');
  const view = await startRun(page);

  // wait until the slow tool (20 s) is running, then steer
  const tool = view.locator('.ascope-tool[data-tool-call-id]').first();
  await expect(tool).toHaveAttribute('data-state', 'running', { timeout: LONG });
  await view.getByTestId('ascope-steer-input').fill(GUIDANCE);
  await view.getByTestId('ascope-steer-send').click();
  await expect(view.getByTestId('ascope-steer-input')).toHaveValue('');
  await shot(page, 'steer-1-sent');

  // the run goes on to its final answer; the hint is part of the transcript
  const badge = view.getByTestId('ascope-status');
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  await expect(view.locator('.ascope-hint').filter({ hasText: GUIDANCE })).toHaveCount(1);
  await expect(tool).toHaveAttribute('data-state', 'success');
  await shot(page, 'steer-2-completed');

  await runCell(page, CELL.check);
  // the first model request was made before the guidance, the second one carries it
  expect(await printed(page, CELL.check)).toBe('completed [False, True]');
});
