// Shared steps of the ascope_nb browser specs: upload and open a fixture notebook, run its
// cells, find the RunView of the %%ask cell, keep screenshots.
//
// Fixture layout (tests/ui/make_fixtures.py): 0 setup, 1 %load_ext, 2 %%agent, 3 %%ask, 4 check.
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

export const CELL = { setup: 0, loadExt: 1, agent: 2, ask: 3, check: 4 } as const;
export const LONG = 120_000; // kernel start / runs on a busy 2-core machine

const ARTIFACTS =
  process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'ui');

/** Save a screenshot of the whole page as test-artifacts/ui/<name>.png. */
export async function shot(page: IJupyterLabPageFixture, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Upload notebooks/<name> into the test's temp dir (contents API) and open it. */
export async function openFixture(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string
): Promise<string> {
  const remote = `${tmpPath}/${name}`;
  await page.contents.uploadFile(path.resolve(__dirname, '..', 'notebooks', name), remote);
  expect(await page.notebook.openByPath(remote)).toBe(true);
  await page.notebook.activate(name);
  await waitKernelIdle(page);
  return remote;
}

/** Wait until the active notebook's kernel is connected and idle. */
export async function waitKernelIdle(page: IJupyterLabPageFixture): Promise<void> {
  await expect(
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator')
  ).toHaveAttribute('data-status', 'idle', { timeout: LONG });
}

/** Run one cell and wait for it to finish (for %%ask: until the cell returns, not the run). */
export async function runCell(page: IJupyterLabPageFixture, index: number): Promise<void> {
  expect(await page.notebook.runCell(index, { timeout: LONG } as any)).toBe(true);
}

/** Run the setup, %load_ext, %%agent and %%ask cells; returns the live RunView locator. */
export async function startRun(page: IJupyterLabPageFixture): Promise<Locator> {
  for (const i of [CELL.setup, CELL.loadExt, CELL.agent, CELL.ask]) await runCell(page, i);
  const view = runView(page, CELL.ask);
  await expect(view).toBeVisible({ timeout: LONG });
  return view;
}

/** The run view rendered in a cell's output. */
export function runView(page: IJupyterLabPageFixture, index: number): Locator {
  return outputArea(page, index).locator('.ascope-root').first();
}

/** A cell's output area. */
export function outputArea(page: IJupyterLabPageFixture, index: number): Locator {
  return page
    .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')
    .nth(index)
    .locator('.jp-Cell-outputArea');
}

/** The stream text (stdout) printed by a cell, trimmed. */
export async function printed(page: IJupyterLabPageFixture, index: number): Promise<string> {
  const stream = outputArea(page, index).locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stdout"]');
  await expect(stream.first()).toBeVisible({ timeout: LONG });
  return (await stream.allInnerTexts()).join('').trim();
}

/** Click a control and read, in the same task as the click, what the view then shows. */
export async function press(view: Locator, name: string) {
  return view.evaluate((root, n) => {
    (root.querySelector(`[data-testid="ascope-${n}"]`) as HTMLButtonElement).click();
    const badge = root.querySelector('[data-testid="ascope-status"]')!;
    return {
      notice: root.querySelector('.ascope-notice')!.textContent,
      badge: badge.textContent,
      status: badge.getAttribute('data-status'),
      enabled: ['stop', 'pause', 'step', 'resume'].filter(k => {
        const b = root.querySelector(`[data-testid="ascope-${k}"]`) as HTMLButtonElement | null;
        return !!b && !b.disabled;
      })
    };
  }, name);
}

/** Force-click every disabled run control: none may send anything or change the view. */
export async function clickDisabled(view: Locator): Promise<string[]> {
  return view.evaluate(root => {
    const before = root.querySelector('.ascope-notice')!.textContent;
    const clicked: string[] = [];
    for (const k of ['stop', 'pause', 'step', 'resume']) {
      const b = root.querySelector(`[data-testid="ascope-${k}"]`) as HTMLButtonElement | null;
      if (!b || !b.disabled) continue;
      b.disabled = false; // as a stray synthetic click on a stale button would
      b.click();
      b.disabled = true;
      clicked.push(k);
    }
    if (root.querySelector('.ascope-notice')!.textContent !== before) throw new Error('a disabled control acted');
    return clicked;
  });
}
