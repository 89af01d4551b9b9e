// The showcase tutorials (issue 33) in JupyterLab: 16 Werewolf, 17 debate, 18 deep research,
// 19 browser agent. Each is uploaded without its saved outputs, run with Run All on the same
// deterministic models nbval uses (scripted / function models, the local corpus, a page the
// notebook serves, Playwright's MCP server on the system Chromium), and its key view is
// checked as a person sees it: the hub and its who-talks-to-whom graph (16, 17), the searches
// and the report's citations (18), the browser steps and the screenshot (19).
//
// The notebooks read files beside them (werewolf_game.py, corpus/) and 19 finds the MCP
// server at ../tests/mcp_node: the spec lays them out in JupyterLab's root dir
// (JUPYTERLAB_GALATA_ROOT_DIR, set by test_browser_ui.py) as links to this checkout.
import * as fs from 'fs';
import * as path from 'path';
import { expect, Locator, Page, test } from '@playwright/test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const TUTORIALS = path.join(REPO, 'notebooks');
const ARTIFACTS = process.env.ASCOPE_UI_ARTIFACTS || path.join(REPO, 'test-artifacts', 'ui');
const LONG = 120_000;

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

/** root/<dir>/notebooks/<name> (outputs cleared) beside links to what the tutorials read. */
function layOut(name: string): string {
  const root = process.env.JUPYTERLAB_GALATA_ROOT_DIR;
  if (!root) throw new Error('JUPYTERLAB_GALATA_ROOT_DIR is not set: run through tests/ui/test_browser_ui.py');
  const dir = `showcase-${name.replace('.ipynb', '')}-${Date.now()}`;
  const nbDir = path.join(root, dir, 'notebooks');
  fs.mkdirSync(nbDir, { recursive: true });
  fs.writeFileSync(path.join(nbDir, name), JSON.stringify(cleared(name)));
  fs.symlinkSync(path.join(TUTORIALS, 'werewolf_game.py'), path.join(nbDir, 'werewolf_game.py'));
  fs.symlinkSync(path.join(TUTORIALS, 'corpus'), path.join(nbDir, 'corpus'), 'dir');
  fs.mkdirSync(path.join(root, dir, 'tests'));
  fs.symlinkSync(path.join(REPO, 'tests', 'mcp_node'), path.join(root, dir, 'tests', 'mcp_node'), 'dir');
  return `${dir}/notebooks/${name}`;
}

const source = (cell: any) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** Open, Run All, wait until every code cell has run; returns the cells locator. */
async function runTutorial(page: Page, name: string, minutes: number): Promise<Locator> {
  const nb = cleared(name);
  await page.goto(`/lab/tree/${layOut(name)}`);
  const cells = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell');
  await expect(cells).toHaveCount(nb.cells.length, { timeout: LONG });
  await expect(page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator')).toHaveAttribute(
    'data-status',
    'idle',
    { timeout: LONG }
  );
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: /^Run All Cells/ }).click();
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== 'code') continue;
    await expect(cells.nth(i).locator('.jp-InputPrompt'), `cell ${i} ran: ${source(cell).slice(0, 60)}`).toHaveText(
      /\[\d+\]/,
      { timeout: minutes * 60_000 }
    );
  }
  await expect(
    page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').filter({ hasText: /Traceback|Error/ })
  ).toHaveCount(0);
  await expect(page.locator('.jp-OutputArea-output .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);
  return cells;
}

function cellIndex(name: string, starts: RegExp): number {
  const i = cleared(name).cells.findIndex((c: any) => c.cell_type === 'code' && starts.test(source(c)));
  if (i < 0) throw new Error(`${name}: no code cell matching ${starts}`);
  return i;
}

async function cellShot(cell: Locator, name: string): Promise<void> {
  await cell.scrollIntoViewIfNeeded();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `${name}.png`), await cell.screenshot());
}

/** The live hub view in a cell: its graph has a node per agent and an edge per who-heard-whom. */
async function checkHubGraph(cell: Locator, agents: string[], minEdges: number): Promise<void> {
  const hub = cell.locator('.ascope-root.ascope-hub');
  await expect(hub).toHaveCount(1);
  await expect(hub.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  expect(await hub.locator('.ascope-bubble').count()).toBeGreaterThan(0);
  const graph = cell.getByTestId('ascope-hub-graph');
  await expect(graph).toHaveCount(1);
  await graph.locator('summary').click();
  for (const agent of agents) await expect(graph.locator(`circle[data-node="${agent}"]`)).toBeVisible();
  expect(await graph.locator('line[data-edge]').count()).toBeGreaterThanOrEqual(minEdges);
  const slider = graph.getByTestId('ascope-hub-round');
  const last = Number(await slider.getAttribute('max'));
  expect(last).toBeGreaterThanOrEqual(1);
  await expect(graph.getByTestId('ascope-hub-round-label')).toHaveText(new RegExp(`^round ${last} of ${last} `));
  const all = await graph.locator('line[data-edge]').count();
  await slider.fill('0'); // replay: before the first reply fewer people have talked
  await expect(graph.getByTestId('ascope-hub-round-label')).toHaveText(/^round 0 of /);
  expect(await graph.locator('line[data-edge]').count()).toBeLessThan(all);
}

const PLAYERS = Array.from({ length: 9 }, (_, i) => `P${i + 1}`);

test('16_werewolf: the night in the hub view with its who-talks-to-whom graph; a whole game drawn', async ({ page }) => {
  const name = '16_werewolf.ipynb';
  test.setTimeout(12 * 60_000);
  const cells = await runTutorial(page, name, 10);
  const night = cells.nth(cellIndex(name, /^run = ascope_nb\.start_hub\(players, play=game\.night/));
  await checkHubGraph(night, [...PLAYERS, 'Moderator'], 9);
  await cellShot(night, 'showcase-16-werewolf-night');
  // the checked outputs: nobody died in night 1 (the witch healed), a vote on day 1
  await expect(cells.nth(cellIndex(name, /^# NBVAL_CHECK_OUTPUT\ndead = await run/))).toContainText('dead: []');
  // a whole game, drawn by hub_graph_html (no script): one node per player
  const game = cells.nth(cellIndex(name, /^from IPython\.display import HTML/));
  const svg = game.locator('.ascope-hub-graph-box svg.ascope-hub-graph').first();
  await expect(svg).toBeVisible();
  expect(await svg.locator('circle').count()).toBeGreaterThanOrEqual(9);
  // your seat: the day's hub view, its text box answered by the scripted input
  const seat = cells.nth(cellIndex(name, /^you = UserAgent\("P9"\)/));
  const seatHub = seat.locator('.ascope-root.ascope-hub');
  await expect(seatHub.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  await expect(seatHub.locator('.ascope-msg', { hasText: 'I am a villager, and I have no idea yet.' })).toHaveCount(1);
  await expect(seatHub.locator('.ascope-msg .ascope-agent', { hasText: /^P9$/ }).first()).toBeVisible();
});

test('17_debate: the debate as a hub chat with who heard whom', async ({ page }) => {
  const name = '17_debate.ipynb';
  test.setTimeout(8 * 60_000);
  const cells = await runTutorial(page, name, 6);
  const debate = cells.nth(cellIndex(name, /^async def debate/));
  await checkHubGraph(debate, ['Alice', 'Bob'], 2);
  const graph = debate.getByTestId('ascope-hub-graph');
  await graph.getByTestId('ascope-hub-round').fill(await graph.getByTestId('ascope-hub-round').getAttribute('max') || '0');
  await expect(graph.locator('line[data-edge="Alice->Bob"]')).toHaveCount(1);
  await expect(graph.locator('line[data-edge="Bob->Alice"]')).toHaveCount(1);
  await cellShot(debate, 'showcase-17-debate');
});

test('18_deep_research: searches in the run view, a report whose citations resolve', async ({ page }) => {
  const name = '18_deep_research.ipynb';
  test.setTimeout(10 * 60_000);
  const cells = await runTutorial(page, name, 8);
  const run = cells.nth(cellIndex(name, /^question = /)).locator('.ascope-root.ascope-run');
  await expect(run.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  const searches = run.locator('.ascope-tool .ascope-tool-name', { hasText: 'search_corpus' });
  expect(await searches.count()).toBeGreaterThanOrEqual(4);
  expect(await run.locator('details.ascope-knowledge').count()).toBeGreaterThanOrEqual(1);
  // the report: every citation links to a source listed under it, with its file and chunk
  const report = cells.nth(cellIndex(name, /^# NBVAL_CHECK_OUTPUT\nreport = search\.report/)).locator('.ascope-report');
  await expect(report).toBeVisible();
  const links = await report.locator('sup a[href^="#cite-"]').evaluateAll(as => as.map(a => a.getAttribute('href')));
  expect(links.length).toBeGreaterThanOrEqual(3);
  for (const href of links) {
    const source = report.locator(`li[id="${href!.slice(1)}"]`);
    await expect(source).toHaveCount(1);
    await expect(source).toContainText(/corpus\/heron\/\w+\.md, chunk \d+\/\d+/);
  }
  await cellShot(report, 'showcase-18-report');
});

test('19_browser_agent: browser steps in the run view and the screenshot they took', async ({ page }) => {
  const name = '19_browser_agent.ipynb';
  test.setTimeout(10 * 60_000);
  const cells = await runTutorial(page, name, 8);
  const cell = cells.nth(cellIndex(name, /^def last_result/));
  const run = cell.locator('.ascope-root.ascope-run');
  await expect(run.getByTestId('ascope-status')).toHaveAttribute('data-status', 'completed', { timeout: LONG });
  const names = await run.locator('.ascope-tool .ascope-tool-name').allTextContents();
  for (const tool of ['browser_navigate', 'browser_snapshot', 'browser_click', 'browser_take_screenshot'])
    expect(names, `${tool} is a step of the run`).toContain(tool);
  // the screenshot step: open it, the image is drawn in the tool result
  const shotStep = run.locator('details.ascope-step', {
    has: page.locator('.ascope-tool-name', { hasText: 'browser_take_screenshot' })
  });
  if ((await shotStep.getAttribute('open')) === null) await shotStep.locator('summary').click();
  const img = shotStep.locator('.ascope-result img.ascope-img').first();
  await expect(img).toBeVisible();
  expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(100);
  // the agent read the page after its click
  await expect(cells.nth(cellIndex(name, /^# NBVAL_CHECK_OUTPUT\nreply = await run/))).toContainText('8 of 8');
  await cellShot(cell, 'showcase-19-browser-agent');
});
