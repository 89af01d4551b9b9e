// A2A in the live view. The kernel serves an agent with a2a-sdk's own server
// (ascope_nb.a2a.serve, 127.0.0.1, a free port) and binds it as a remote agent
// (`%a2a add Remote URL`); `%%ask Remote` then shows, in the run view:
// - the remote reply's text STREAMING in (several partial texts before the step is complete),
// - the "remote" badge with the host:port on its steps,
// - the remote's tool call waiting for approval as the same Approve / Deny row as a local one;
//   Approve travels back to the remote, which runs the call and answers;
// - guidance typed into the Steer box while the remote waits reaches the REMOTE agent: its
//   next model request carries it, and its hint shows in this view.
import { expect, test } from '@jupyterlab/galata';
import { CELL, LONG, openFixture, printed, runCell, runView, shot } from './fixtures';

const GUIDANCE = 'Please add in words.'; // the same text as in a2a_remote.ipynb's check cell

test('A remote A2A agent streams into the view, marked remote; Steer and Approve reach it', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath, 'a2a_remote.ipynb');
  for (const i of [CELL.setup, CELL.loadExt, CELL.agent]) await runCell(page, i);
  // sample the first step's text every 25 ms from before the run starts
  await page.evaluate(() => {
    const w = window as any;
    w.__ascopeTexts = [];
    w.__ascopeSampler = setInterval(() => {
      const el = document.querySelector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .ascope-root details.ascope-step[data-step="0"] .ascope-text'
      );
      const text = el ? el.textContent || '' : '';
      const seen: string[] = w.__ascopeTexts;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }, 25);
  });
  await runCell(page, CELL.ask);
  const view = runView(page, CELL.ask);
  await expect(view).toBeVisible({ timeout: LONG });
  const badge = view.getByTestId('ascope-status');

  // the remote step is marked remote, with the server's host and port (no credentials)
  const step0 = view.locator('details.ascope-step[data-step="0"]');
  await expect(step0.getByTestId('ascope-remote')).toHaveText(/^remote · 127\.0\.0\.1:\d+$/, { timeout: LONG });
  await expect(step0.locator('.ascope-agent')).toHaveText('Remote'); // the name it was bound to

  // the remote's tool call waits for OUR decision: the same row as a local approval
  await expect(badge).toHaveAttribute('data-status', 'waiting_approval', { timeout: LONG });
  const texts: string[] = await page.evaluate(() => {
    const w = window as any;
    clearInterval(w.__ascopeSampler);
    return w.__ascopeTexts;
  });
  const full = (await step0.locator('.ascope-text').textContent()) || '';
  expect(full).toContain('Let me add these two numbers');
  const partial = texts.filter(t => t.length < full.length);
  expect(partial.length, `text updates seen before the step was complete: ${partial.length}`).toBeGreaterThanOrEqual(3);
  for (const t of partial) expect(full.startsWith(t)).toBe(true); // each one a prefix: it grew
  const call = view.locator('.ascope-tool[data-tool-call-id]').first();
  await expect(call.locator('.ascope-tool-name')).toHaveText('add');
  await expect(call.getByTestId('ascope-approve')).toHaveCount(1);
  await expect(call.getByTestId('ascope-deny')).toHaveCount(1);
  await shot(page, 'a2a-1-remote-waiting-approval');

  // the remote is an ascope_nb server: Steer acts, and its tooltip is the usual one
  const steerInput = view.getByTestId('ascope-steer-input');
  await expect(view.getByTestId('ascope-steer-send')).toBeEnabled();
  await expect(view.getByTestId('ascope-pause')).toHaveAttribute('title', 'Hold before the next step');
  await steerInput.fill(GUIDANCE);
  await view.getByTestId('ascope-steer-send').click();
  await expect(steerInput).toHaveValue('');

  await call.getByTestId('ascope-approve').click();
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  await expect(call).toHaveAttribute('data-state', 'success');
  await expect(call.locator('.ascope-result')).toHaveText('3'); // the remote ran the call
  const step1 = view.locator('[data-step="1"]');
  await expect(step1).toContainText('It is 3.');
  // the remote agent injected the guidance before its next step: replayed here as a hint
  await expect(view.locator('.ascope-hint').filter({ hasText: GUIDANCE })).toHaveCount(1);
  // the ended run is drawn kernel-free from its saved outputs (the lab extension): still marked
  await expect(step1.getByTestId('ascope-remote')).toHaveText(/^remote · 127\.0\.0\.1:\d+$/);
  await expect(view.getByTestId('ascope-remote')).toHaveCount(2);
  await expect(view.getByTestId('ascope-approve')).toHaveCount(0);
  await shot(page, 'a2a-2-remote-approved');

  await runCell(page, CELL.check);
  // the caller's run and the remote agent's own memory agree: approved, ran, answered; the
  // remote model's first request came before the guidance, its second one carried it
  expect(await printed(page, CELL.check)).toBe("completed It is 3. ['3'] [False, True]");
});
