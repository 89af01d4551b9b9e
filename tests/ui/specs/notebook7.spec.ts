// Notebook 7 smoke test: the same fixture notebook in the Notebook 7 UI (/tree, /notebooks/...)
// on the same Jupyter server; the live RunView renders and the run completes.
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@playwright/test';

const LONG = 120_000;
const ARTIFACTS =
  process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'ui');

test('Notebook 7 shows the live run view of a %%ask cell', async ({ page, request }) => {
  const dir = `nb7-smoke-${Date.now()}`;
  const file = `${dir}/saved.ipynb`;
  const nb = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'notebooks', 'saved.ipynb'), 'utf8'));
  expect((await request.put(`/api/contents/${dir}`, { data: { type: 'directory' } })).ok()).toBe(true);
  const put = await request.put(`/api/contents/${file}`, {
    data: { type: 'notebook', format: 'json', content: nb }
  });
  expect(put.ok()).toBe(true);

  await page.goto('/tree');
  await expect(page.locator('#main-panel, .jp-FileBrowser').first()).toBeVisible({ timeout: LONG });
  await page.goto(`/notebooks/${file}`);
  const cells = page.locator('.jp-Notebook .jp-Cell');
  await expect(cells).toHaveCount(nb.cells.length, { timeout: LONG });
  // wait for the kernel, then Run > Run All Cells
  await expect(page.locator('.jp-Notebook-ExecutionIndicator').first()).toHaveAttribute(
    'data-status',
    'idle',
    { timeout: LONG }
  );
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Run All Cells/ }).click();

  const view = cells.nth(3).locator('.ascope-root').first();
  await expect(view).toBeVisible({ timeout: LONG });
  await expect(view.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', {
    timeout: LONG
  });
  await expect(view.locator('[data-step="1"]')).toContainText('It is sunny in Lisbon today.');
  const printed = cells.nth(4).locator('[data-mime-type="application/vnd.jupyter.stdout"]');
  await expect(printed).toHaveText('completed', { timeout: LONG, useInnerText: true });
  await view.scrollIntoViewIfNeeded();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'notebook7-run.png') });
});
