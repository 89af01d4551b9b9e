// The ascope-nb JupyterLab extension renders saved runs, hubs and memories with NO kernel.
//
// The fixture (labextension/test/make_fixtures.py) holds the outputs the Python views write:
// the run/hub/memory MIME payloads, the dead ipywidgets view and the HTML transcript. An
// uploaded notebook is untrusted, so the widget view (unsafe) is skipped and the extension's
// renderer (safe, rank 40) wins over text/html (rank 50).
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { LONG, outputArea, shot } from './fixtures';

const NAME = 'saved_runs_ext.ipynb';
const RUN_MIME = 'application/vnd.ascope.run+json';
const CELLS = { run: 1, hub: 2, memory: 3 } as const;

const fixture = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'notebooks', NAME), 'utf8'));
const runEvents: any[] = fixture.cells[CELLS.run].outputs[0].data[RUN_MIME].events;
const stepNumbers = [...new Set(runEvents.filter(e => e.kind === 'step_started').map(e => e.step))];
const calls = runEvents.filter(e => e.kind === 'tool_call');

/** Open the uploaded notebook without starting a kernel (it names none). */
async function openWithoutKernel(page: IJupyterLabPageFixture, remote: string): Promise<void> {
  expect(await page.notebook.openByPath(remote)).toBe(true);
  // the notebook names no kernel, so JupyterLab asks: keep "No Kernel"
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByRole('button', { name: 'No Kernel' }).click({ timeout: LONG });
  await expect(dialog).toHaveCount(0);
  // (no page.notebook.activate: it waits for a kernel; the opened notebook is the current tab)
  await expect(page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-kernelName')).toHaveText(
    /No Kernel/i,
    { timeout: LONG }
  );
}

test('A saved run, hub and memory render richly without a kernel', async ({ page, tmpPath }) => {
  const remote = `${tmpPath}/${NAME}`;
  await page.contents.uploadFile(path.resolve(__dirname, '..', 'notebooks', NAME), remote);
  await openWithoutKernel(page, remote);
  expect(await page.kernel.isAnyRunning()).toBe(false);

  const run = outputArea(page, CELLS.run);
  const rendered = run.locator('.jp-AscopeRenderer .ascope-root.ascope-run');
  await expect(rendered).toBeVisible({ timeout: LONG });
  await expect(run).not.toContainText('Error displaying widget');
  await expect(run.locator('.ascope-t')).toHaveCount(0); // not the HTML fallback

  // each step is shown, the last one open
  const steps = rendered.locator('details.ascope-step');
  await expect(steps).toHaveCount(stepNumbers.length);
  for (const [i, n] of stepNumbers.entries()) {
    await expect(steps.nth(i)).toHaveAttribute('data-step', String(n));
    await expect(steps.nth(i).locator('.ascope-step-n')).toHaveText(`Step ${n + 1}`);
  }
  await expect(steps.first()).not.toHaveAttribute('open', '');
  await expect(steps.last()).toHaveAttribute('open', '');
  await expect(rendered.getByTestId('ascope-status')).toHaveText('completed');
  await expect(rendered.locator('button')).toHaveCount(0); // no steering on a saved run
  await shot(page, 'ext-1-saved-run');

  // clicking the first step expands it: its tool call, arguments and result show
  const first = steps.first();
  const call = calls.find(c => c.step === stepNumbers[0]);
  const tool = first.locator(`[data-tool-call-id="${call.tool_call_id}"]`);
  await expect(tool).toBeHidden();
  await first.locator('summary').click();
  await expect(first).toHaveAttribute('open', '');
  await expect(tool).toBeVisible();
  await expect(tool.locator('.ascope-tool-name')).toHaveText(call.name);
  expect(JSON.parse(await tool.locator('.ascope-args').innerText())).toEqual(call.input);
  const result = runEvents.find(e => e.kind === 'tool_result' && e.tool_call_id === call.tool_call_id);
  await expect(tool.locator('.ascope-result')).toHaveText(result.output.map((b: any) => b.text).join(''));

  // the search box keeps the matching steps only
  const failing = calls.find(c => c.name === 'convert');
  await rendered.getByTestId('ascope-search').fill(failing.name);
  await expect(rendered.locator('details.ascope-step:not([hidden])')).toHaveCount(1);
  await expect(rendered.locator('details.ascope-step:not([hidden])')).toHaveAttribute('data-step', String(failing.step));
  await rendered.getByTestId('ascope-search').fill('');
  await run.scrollIntoViewIfNeeded();
  await shot(page, 'ext-2-step-expanded');

  // the hub as a chat, the memory as a table
  const hub = outputArea(page, CELLS.hub).locator('.jp-AscopeRenderer .ascope-hub');
  await hub.scrollIntoViewIfNeeded();
  await expect(hub.locator('.ascope-bubble')).toHaveCount(2);
  await expect(hub.locator('.ascope-bubble').first()).toHaveAttribute('data-agent', 'Alice');
  // who talks to whom, as the live HubView draws it: nodes, edges, and the round slider
  const graph = outputArea(page, CELLS.hub).locator('.jp-AscopeRenderer [data-testid="ascope-hub-graph"]');
  await expect(graph).toHaveCount(1);
  await graph.locator('summary').click();
  await expect(graph.locator('circle[data-node="Alice"]')).toBeVisible();
  await expect(graph.locator('circle[data-node="Bob"]')).toBeVisible();
  const hubEvents: any[] = fixture.cells[CELLS.hub].outputs[0].data['application/vnd.ascope.hub+json'].events;
  const heard = [
    ...new Set(hubEvents.filter(e => e.kind === 'message_observed').map(e => `${e.msg.name}->${e.observer}`))
  ].sort();
  expect((await graph.locator('line[data-edge]').evaluateAll(ls => ls.map(l => l.getAttribute('data-edge')))).sort()).toEqual(heard);
  await graph.getByTestId('ascope-hub-round').fill('0');
  await expect(graph.getByTestId('ascope-hub-round-label')).toHaveText(/^round 0 of /);
  const memory = outputArea(page, CELLS.memory).locator('.jp-AscopeRenderer .ascope-memory');
  await memory.scrollIntoViewIfNeeded();
  await expect(memory.locator('tbody tr')).toHaveCount(2);
  await shot(page, 'ext-3-hub-memory');
});

test('The 1,000-step saved run opens and its steps can be expanded', async ({ page, tmpPath }) => {
  // built in the page from the fixture's first step (fresh ids per step), then rendered by
  // JupyterLab's own rendermime (the registry that picks our renderer by MIME type)
  const remote = `${tmpPath}/${NAME}`;
  await page.contents.uploadFile(path.resolve(__dirname, '..', 'notebooks', NAME), remote);
  await openWithoutKernel(page, remote);
  const ms = await page.evaluate(
    async ({ events, mime }) => {
      const panel: any = (window as any).jupyterapp.shell.currentWidget;
      const rendermime = panel.content.rendermime;
      const start = events.findIndex((e: any) => e.kind === 'step_started');
      const end = events.findIndex((e: any) => e.kind === 'step_ended');
      const runId = events[0].run_id;
      const block = JSON.stringify(events.slice(start, end + 1));
      const re = new RegExp(`"${runId}-(?!reply")([^"]*)"`, 'g');
      const steps: any[] = [];
      for (let i = 0; i < 1000; i++) {
        const copy = JSON.parse(block.replace(re, `"${runId}-s${i}-$1"`));
        for (const e of copy) if ('step' in e) e.step = i;
        steps.push(...copy);
      }
      const tail = events.filter((e: any) => e.kind === 'reply_ended' || e.kind === 'run_ended');
      const all = [...events.slice(0, start), ...steps, ...tail];
      const t0 = performance.now();
      const renderer = rendermime.createRenderer(rendermime.preferredMimeType({ [mime]: {} }, 'ensure'));
      renderer.id = 'ascope-bench';
      renderer.title.label = '1,000 steps';
      renderer.node.style.overflow = 'auto';
      (window as any).jupyterapp.shell.add(renderer, 'main'); // a tab of its own, scrollable
      const model = { data: { [mime]: { version: 1, events: all } }, metadata: {}, trusted: false, setData() {} };
      await renderer.renderModel(model);
      await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0))); // layout + paint
      return performance.now() - t0;
    },
    { events: runEvents, mime: RUN_MIME }
  );
  const steps = page.locator('#ascope-bench details.ascope-step');
  await expect(steps).toHaveCount(1000);
  await steps.nth(500).locator('summary').scrollIntoViewIfNeeded();
  await steps.nth(500).locator('summary').click();
  await expect(steps.nth(500).locator('.ascope-tool')).toBeVisible();
  await shot(page, 'ext-4-1000-steps');
  console.log(`ascope-nb: 1,000-step saved run rendered in the browser in ${ms.toFixed(0)} ms`);
  const artifacts =
    process.env.ASCOPE_UI_ARTIFACTS || path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'ui');
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, 'ext-render-1000.json'), JSON.stringify({ steps: 1000, ms }) + '\n');
});
