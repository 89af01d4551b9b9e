// The RunView's controls in every state of a run, step collapsing across the end, and
// feedback on the finished run (from the view and from %runs), checked in the store.
//
// Fixture controls.ipynb: five steps (a 4 s survey tool, a delete_file that needs approval,
// two more surveys, the answer); cells 0-4 as usual, 5 `%runs`, 6 prints the stored feedback.
// With ASCOPE_UI_DOCS=1 the screenshots of each state are written to docs/ as well.
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  CELL,
  clickDisabled,
  LONG,
  openFixture,
  outputArea,
  press,
  printed,
  runCell,
  shot,
  startRun
} from './fixtures';

test.use({ autoGoto: true, viewport: { width: 1280, height: 900 } });

const RUNS_CELL = 5;
const FEEDBACK_CELL = 6;
const RUN_MIME = 'application/vnd.ascope.run+json';
const DOCS = path.resolve(__dirname, '..', '..', '..', 'docs');
const FLOW = ['stop', 'pause', 'step', 'resume'];

/** Which run-control buttons are enabled ([] when none is shown). */
async function enabled(view: Locator): Promise<string[]> {
  const out: string[] = [];
  for (const name of FLOW) {
    const btn = view.getByTestId(`ascope-${name}`);
    if ((await btn.count()) && (await btn.isEnabled())) out.push(name);
  }
  return out;
}

/** Open (true) / closed (false) state of each step, in order. */
async function openSteps(view: Locator): Promise<boolean[]> {
  return view
    .locator('details.ascope-step')
    .evaluateAll(els => els.map(el => el.hasAttribute('open')));
}

/** A screenshot of the %%ask cell (input and output) for docs/ and the artifacts. */
async function docShot(page: IJupyterLabPageFixture, name: string): Promise<void> {
  const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').nth(CELL.ask);
  await cell.scrollIntoViewIfNeeded();
  await page.waitForTimeout(150); // let the icons and fonts settle
  const buf = await cell.screenshot();
  await shot(page, `controls-${name}`);
  if (process.env.ASCOPE_UI_DOCS === '1') fs.writeFileSync(path.join(DOCS, `${name}.png`), buf);
}

test('Each control acts only where it should; steps keep their state at the end; feedback after the run is stored', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(420_000);
  const remote = await openFixture(page, tmpPath, 'controls.ipynb');
  const view = await startRun(page);
  const badge = view.getByTestId('ascope-status');
  const notice = view.locator('.ascope-notice');
  const steps = view.locator('details.ascope-step');

  // ---- running: Stop and Pause act; Step and Resume do not
  await expect(badge).toHaveAttribute('data-status', 'running', { timeout: LONG });
  await expect(steps.nth(0).locator('.ascope-tool')).toBeVisible({ timeout: LONG });
  expect(await enabled(view)).toEqual(['stop', 'pause']);
  expect(await clickDisabled(view)).toEqual(['step', 'resume']);
  await expect(view.getByTestId('ascope-steer-send')).toBeEnabled();
  // icons are inline SVG with accessible names on icon-only buttons
  await expect(view.getByTestId('ascope-thumbs-up')).toHaveAttribute('aria-label', 'Good run');
  await expect(view.locator('svg.ascope-icon-pause')).toHaveCount(1);
  await docShot(page, 'live-running');

  // ---- Pause: acknowledged at once (read in the same task as the click), before the step ends
  const ack = await press(view, 'pause');
  expect(ack).toEqual({
    notice: 'pausing after this step',
    badge: 'pausing',
    status: 'running',
    enabled: ['stop', 'resume']
  });

  // ---- paused: Stop, Step and Resume act; Pause does not
  await expect(badge).toHaveAttribute('data-status', 'paused', { timeout: LONG });
  await expect(badge).toHaveText('paused');
  await expect(notice).toContainText('paused');
  expect(await enabled(view)).toEqual(['stop', 'step', 'resume']);
  expect(await clickDisabled(view)).toEqual(['pause']);
  expect(await openSteps(view)).toEqual([true]);
  await docShot(page, 'live-paused');

  // ---- Step: one step, into a tool call that needs approval
  expect(await press(view, 'step')).toEqual({
    notice: 'running one step, then holding',
    badge: 'paused',
    status: 'paused',
    enabled: ['stop', 'resume']
  });
  await expect(badge).toHaveAttribute('data-status', 'waiting_approval', { timeout: LONG });
  expect(await enabled(view)).toEqual(['stop', 'pause']);
  expect(await clickDisabled(view)).toEqual(['step', 'resume']);
  expect(await openSteps(view)).toEqual([false, true]);
  // the reason box sits with Deny, after Edit
  const denyGroup = view.locator('.ascope-deny-group');
  await expect(denyGroup.getByTestId('ascope-deny-reason')).toHaveCount(1);
  await expect(denyGroup.getByTestId('ascope-deny')).toHaveCount(1);
  await docShot(page, 'live-waiting-approval');

  // Edit then Approve: the decision shows as the person's, not as an error
  await view.getByTestId('ascope-edit').click();
  await view.getByTestId('ascope-edit-args').fill('{"path": "draft_v1.txt"}');
  await view.getByTestId('ascope-approve').click();
  // the Step holds the run again after this step
  await expect(badge).toHaveAttribute('data-status', 'paused', { timeout: LONG });
  const decision = steps.nth(1).locator('.ascope-decision');
  await expect(decision).toHaveText(/arguments edited by you/);
  await expect(steps.nth(1).locator('summary .ascope-chip')).toHaveText(/edited delete_file/);
  await expect(steps.nth(1).locator('.ascope-flag')).toHaveCount(0);

  // the person opens step 1 by hand: it stays open while new steps come and after the end
  await steps.nth(0).locator('summary').click();
  await expect(steps.nth(0)).toHaveAttribute('open', '');

  // ---- Resume: runs freely; guidance is a person's decision too
  await view.getByTestId('ascope-resume').click();
  // sample the output (height, status, open steps) from here until the saved view has settled
  await page.evaluate((idx: number) => {
    const w = window as any;
    w.__ascopeSamples = [];
    w.__ascopeSampler = setInterval(() => {
      const cell = document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell'
      )[idx];
      const area = cell?.querySelector('.jp-Cell-outputArea');
      const badge = area?.querySelector('[data-testid="ascope-status"]');
      w.__ascopeSamples.push({
        h: area ? area.getBoundingClientRect().height : 0,
        status: badge ? badge.getAttribute('data-status') : null,
        saved: !!area?.querySelector('.jp-AscopeRenderer'),
        open: [...(area?.querySelectorAll('details.ascope-step') || [])].map(d => d.hasAttribute('open'))
      });
    }, 25);
  }, CELL.ask);
  await expect(badge).toHaveAttribute('data-status', 'running', { timeout: LONG });
  expect(await enabled(view)).toEqual(['stop', 'pause']);
  await view.getByTestId('ascope-steer-input').fill('Round to whole otters');
  await view.getByTestId('ascope-steer-send').click();
  await expect(notice).toHaveText('Guidance sent: Round to whole otters');
  await expect(steps.nth(3)).toBeVisible({ timeout: LONG });
  await expect(view.locator('.ascope-hint')).toContainText('Round to whole otters');
  await docShot(page, 'live-run');

  // ---- the end
  await expect(badge).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  const saved = outputArea(page, CELL.ask).locator('.jp-AscopeRenderer .ascope-root');
  await expect(saved).toBeVisible({ timeout: LONG });
  await expect(saved.getByTestId('ascope-thumbs-up')).toBeVisible({ timeout: LONG });
  await page.waitForTimeout(1_500);
  const samples: { h: number; status: string | null; saved: boolean; open: boolean[] }[] = await page.evaluate(() => {
    const w = window as any;
    clearInterval(w.__ascopeSampler);
    return w.__ascopeSamples;
  });
  const live = samples.filter(s => !s.saved && s.status && s.status !== 'completed');
  const last = live[live.length - 1];
  // while the answer streamed: the person's step 1 open, steps 2-4 closed, the answer open
  const before = last.open;
  expect(before).toEqual([true, false, false, false, true]);
  const end = samples[samples.length - 1];
  const change = Math.abs(end.h - last.h) / last.h;
  console.log(
    `height before the end ${last.h}px, after ${end.h}px (${(
      change * 100
    ).toFixed(1)}%)`
  );
  expect(end.saved).toBe(true);
  expect(change).toBeLessThan(0.1);

  // same steps in the same state after the end (the person's open step 1 kept)
  expect(await openSteps(saved)).toEqual(before);
  // ---- ended: no run controls; thumbs and a comment take the feedback
  expect(await enabled(saved)).toEqual([]);
  for (const name of FLOW) await expect(saved.getByTestId(`ascope-${name}`)).toHaveCount(0);
  await expect(saved.getByTestId('ascope-thumbs-down')).toHaveAttribute('aria-label', 'Bad run');
  await expect(saved.getByTestId('ascope-comment')).toBeEnabled();
  // Chinese text in the answer is drawn with a CJK face of the stack
  const mono = await saved.locator('pre.ascope-pre').first().evaluate(el => getComputedStyle(el).fontFamily);
  expect(mono).toContain('WenQuanYi Micro Hei');
  await docShot(page, 'live-ended');

  await saved.getByTestId('ascope-comment').fill('clear steps');
  await saved.getByTestId('ascope-thumbs-up').click();
  await expect(saved.locator('.ascope-notice')).toHaveText('Feedback stored: good run', {
    timeout: LONG
  });
  await expect(saved.getByTestId('ascope-thumbs-up')).toHaveAttribute('aria-pressed', 'true');
  await expect(saved.getByTestId('ascope-thumbs-down')).toHaveAttribute('aria-pressed', 'false');
  await expect(saved.getByTestId('ascope-comment')).toHaveValue('');
  await expect(saved.locator('.ascope-feedback').last()).toContainText('good run · clear steps');

  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe('completed');

  // ---- %runs: rate the same run from its row, then from the opened run with a comment
  await runCell(page, RUNS_CELL);
  const table = outputArea(page, RUNS_CELL).locator('.ascope-runs');
  const row = table.locator('tbody tr').first();
  await expect(row.locator('[data-testid="ascope-row-thumbs-up"]')).toHaveAttribute(
    'aria-pressed',
    'true',
    { timeout: LONG }
  );
  await row.getByTestId('ascope-row-thumbs-down').click();
  await expect(table.locator('tbody tr').first().getByTestId('ascope-row-thumbs-down')).toHaveAttribute(
    'aria-pressed',
    'true',
    { timeout: LONG }
  );
  await table.locator('tbody tr').first().locator('td.ascope-cell-agent').click();
  const opened = table.getByTestId('ascope-runs-opened');
  await expect(opened.locator('details.ascope-step')).toHaveCount(5, { timeout: LONG });
  await opened.getByTestId('ascope-comment').fill('from the table');
  await opened.getByTestId('ascope-thumbs-up').click();
  await expect(table.locator('tbody tr').first().getByTestId('ascope-row-thumbs-up')).toHaveAttribute(
    'aria-pressed',
    'true',
    { timeout: LONG }
  );
  await shot(page, 'controls-runs-table');

  // ---- the store holds all three judgements
  await runCell(page, FEEDBACK_CELL);
  expect(await printed(page, FEEDBACK_CELL)).toBe(
    "['up', 'down', 'up'] ['clear steps', '', 'from the table']"
  );

  // ---- the saved output carries the feedback given after the end (no kernel needed)
  expect(await page.notebook.save()).toBe(true);
  const file = await page.evaluate(async (p: string) => {
    const model = await window.jupyterapp.serviceManager.contents.get(p, { content: true });
    return model.content;
  }, remote);
  const bundle = file.cells[CELL.ask].outputs.map((o: any) => o.data || {}).find((d: any) => RUN_MIME in d);
  const kinds: string[] = bundle[RUN_MIME].events.map((e: any) => e.kind);
  expect(kinds[kinds.length - 1]).toBe('feedback');
  expect(bundle['text/html']).toContain('clear steps');
});
