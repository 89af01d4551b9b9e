// A finished run saved in the notebook is still shown after the kernel is gone.
import { expect, test } from '@jupyterlab/galata';
import {
  CELL,
  LONG,
  openFixture,
  outputArea,
  printed,
  runCell,
  shot,
  startRun,
  waitKernelIdle
} from './fixtures';

const RUN_MIME = 'application/vnd.ascope.run+json';

test('The saved transcript is shown when the notebook is reopened without its kernel', async ({
  page,
  tmpPath
}) => {
  const remote = await openFixture(page, tmpPath, 'saved.ipynb');
  const view = await startRun(page);
  await expect(view.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', {
    timeout: LONG
  });
  await runCell(page, CELL.check);
  expect(await printed(page, CELL.check)).toBe('completed');
  await shot(page, 'saved-1-finished');

  expect(await page.notebook.save()).toBe(true);
  await page.kernel.shutdownAll();
  expect(await page.notebook.close()).toBe(true);

  // the file on disk: the %%ask output carries the run's events and an HTML transcript
  const saved = await page.evaluate(async (p: string) => {
    const model = await window.jupyterapp.serviceManager.contents.get(p, { content: true });
    return model.content;
  }, remote);
  const outputs: any[] = saved.cells[CELL.ask].outputs;
  const bundle = outputs.map(o => o.data || {}).find(d => RUN_MIME in d);
  expect(bundle, 'an output with the run+json MIME type').toBeTruthy();
  const kinds: string[] = bundle[RUN_MIME].events.map((e: any) => e.kind);
  expect(kinds[0]).toBe('run_started');
  expect(kinds).toContain('tool_call');
  expect(kinds[kinds.length - 1]).toBe('run_ended');
  expect(bundle['text/html']).toContain('It is sunny in Lisbon today.');

  // reopen: no kernel has this run any more, so what shows comes from the saved output
  expect(await page.kernel.isAnyRunning()).toBe(false);
  expect(await page.notebook.openByPath(remote)).toBe(true);
  await page.notebook.activate('saved.ipynb');
  // JupyterLab starts a fresh kernel for the notebook; shut it down too, so nothing is live
  await waitKernelIdle(page);
  await page.kernel.shutdownAll();
  expect(await page.kernel.isAnyRunning()).toBe(false);
  const out = outputArea(page, CELL.ask);
  await out.scrollIntoViewIfNeeded();
  await expect(out).toContainText('It is sunny in Lisbon today.');
  await expect(out).toContainText('get_weather');
  await expect(out).not.toContainText('Error displaying widget');
  await out.scrollIntoViewIfNeeded();
  await shot(page, 'saved-2-reopened');
});
