// The tutorials a newcomer opens first, run in JupyterLab and in Notebook 7 on the same server:
// 01 (scripted models) and 10 (the embedded local model, slow on a CPU). Checks what a user
// sees: one run view per %%ask / %%hub cell (no stale text line under it), no emoji code
// points used as icons (Debian's default fonts draw them as empty boxes), memory rows with
// text. The notebooks are uploaded without their saved outputs, so only fresh output counts.
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test } from '@playwright/test';

const LONG = 120_000;
const ARTIFACTS =
  process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'ui');
const TUTORIALS = path.resolve(__dirname, '..', '..', '..', 'notebooks');
// emoji and pictographs: what the views used as icons before (🔧 ⏸ ⏭ 👍 👎 ⚠ ...)
const EMOJI = /[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}\u{23E9}-\u{23FA}\u{2B50}\u{2B06}\u{2B07}]/u;
const ICONS = '.ascope-root button, .ascope-root summary, .ascope-root [class*="icon"], .ascope-root .ascope-step-tools, .ascope-root .ascope-flag, .ascope-root .ascope-feedback';

const UIS = [
  { ui: 'JupyterLab', open: (file: string) => `/lab/tree/${file}` },
  { ui: 'Notebook 7', open: (file: string) => `/notebooks/${file}` }
];
const CASES = [
  { name: '01_hello_agent.ipynb', minutes: 5 },
  { name: '10_local_model.ipynb', minutes: 15, shots: 4 }
];
// With ASCOPE_UI_DOCS=1 the JupyterLab run of tutorial 10 also writes the README's pictures:
// the first %%ask cell while the embedded model works (live) and when it has answered.
const DOCS = path.resolve(__dirname, '..', '..', '..', 'docs');

async function cellShot(cell: Locator, name: string): Promise<void> {
  await cell.scrollIntoViewIfNeeded();
  const buf = await cell.screenshot();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `${name}.png`), buf);
  if (process.env.ASCOPE_UI_DOCS === '1') fs.writeFileSync(path.join(DOCS, `${name}.png`), buf);
}

function cleared(name: string): any {
  const nb = JSON.parse(fs.readFileSync(path.join(TUTORIALS, name), 'utf8'));
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  nb.metadata.widgets = undefined;
  return nb;
}

const source = (cell: any) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

async function runAll(page: Page): Promise<void> {
  await expect(page.locator('.jp-Notebook-ExecutionIndicator').first()).toHaveAttribute(
    'data-status',
    'idle',
    { timeout: LONG }
  );
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Run All Cells/ }).click();
}

for (const { ui, open } of UIS) {
  for (const { name, minutes, shots } of CASES) {
    test(`${ui} runs ${name}: one view per ask cell, no emoji icons, memory rows`, async ({
      page,
      request
    }) => {
      test.setTimeout(minutes * 60_000);
      const nb = cleared(name);
      const dir = `tutorial-${ui.replace(/\W/g, '')}-${Date.now()}`;
      const file = `${dir}/${name}`;
      expect((await request.put(`/api/contents/${dir}`, { data: { type: 'directory' } })).ok()).toBe(true);
      const put = await request.put(`/api/contents/${file}`, {
        data: { type: 'notebook', format: 'json', content: nb }
      });
      expect(put.ok()).toBe(true);

      await page.goto(open(file));
      // the notebook in view (JupyterLab may restore the previous test's tab beside it)
      const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
      await expect(cells).toHaveCount(nb.cells.length, { timeout: LONG });
      await runAll(page);
      if (shots !== undefined && ui === 'JupyterLab') {
        // live: the run view of the first %%ask cell once the model's tool call has run
        // (step 1 shows it, step 2 is under way), Stop still enabled
        const live = cells.nth(shots);
        await expect(live.locator('details.ascope-step')).toHaveCount(2, { timeout: minutes * 60_000 });
        await expect(live.getByTestId('ascope-stop')).toBeEnabled();
        await page.waitForTimeout(300); // let the icons and fonts settle
        await cellShot(live, 'tutorial-live-run');
      }

      // every code cell ran: its prompt shows a number, not "[*]" or "[ ]"
      const code = nb.cells.map((c: any, i: number) => [c, i]).filter(([c]: any) => c.cell_type === 'code');
      for (const [, i] of code) {
        await expect(cells.nth(i).locator('.jp-InputPrompt')).toHaveText(/\[\d+\]/, {
          timeout: minutes * 60_000
        });
      }
      await expect(page.locator('.jp-OutputArea-output .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);

      // one output per %%ask / %%hub cell: the run view, nothing under it
      const askCells = code.filter(([c]: any) => /^%%(ask|chat|hub)\b/.test(source(c).trimStart()));
      expect(askCells.length).toBeGreaterThan(0);
      for (const [, i] of askCells) {
        const out = cells.nth(i).locator('.jp-OutputArea-child');
        await expect(out).toHaveCount(1);
        await expect(out.locator('.ascope-root')).toHaveCount(1);
        await expect(out).not.toContainText('Run(title=');
      }

      // no emoji code points in icon-like elements of any view
      const iconTexts = await page.locator(ICONS).allTextContents();
      const emoji = iconTexts.filter((t) => EMOJI.test(t));
      expect(emoji, `emoji used as icons: ${emoji.join(' ')}`).toEqual([]);

      // memory tables (tutorial 10 ends with %agent_memory): rows, each with text
      const memoryCells = code.filter(([c]: any) => source(c).trimStart().startsWith('%agent_memory'));
      for (const [, i] of memoryCells) {
        const rows = cells.nth(i).locator('.ascope-memory tbody tr, .ascope-t tbody tr');
        await expect(rows.first()).toBeVisible({ timeout: LONG });
        const texts = await cells.nth(i).locator('td.ascope-cell-text, .ascope-t tbody tr td:nth-child(4)').allTextContents();
        expect(texts.length).toBeGreaterThan(1);
        expect(texts.filter((t) => !t.trim())).toEqual([]);
      }

      if (shots !== undefined && ui === 'JupyterLab') await cellShot(cells.nth(shots), 'tutorial-run-ended');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({
        path: path.join(ARTIFACTS, `tutorial-${ui.replace(/\W/g, '')}-${name.replace('.ipynb', '')}.png`),
        fullPage: true
      });
    });
  }
}
