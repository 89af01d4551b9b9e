/**
 * The one rendering code of ascope_nb, shared with the live anywidget view.
 *
 * It lives in `ascope_nb/views/static/` as plain ES modules; the bundler pulls it in from
 * there at build time (no second copy in this package). This module gives it types.
 */

/** The handle returned by `createRunRenderer` / `createHubRenderer`. */
export interface IRunRenderer {
  root: HTMLElement;
  setEvents(events: readonly unknown[]): void;
  addEvents(events: readonly unknown[]): void;
  setSummary(summary: Record<string, unknown>): void;
  /** Show a one-line notice (acknowledgements, errors). */
  notice(text: string): void;
  destroy(): void;
}

/** The handle returned by `createMemoryRenderer`. */
export interface IMemoryRenderer {
  setRows(rows: readonly unknown[]): void;
  setTitle(title: string): void;
  destroy(): void;
}

export interface IRunOptions {
  onCommand?: (cmd: Record<string, unknown>) => void;
  live?: boolean;
  interactive?: boolean;
}

type RunFactory = (container: HTMLElement, options?: IRunOptions) => IRunRenderer;
type MemoryFactory = (container: HTMLElement, options?: { title?: string }) => IMemoryRenderer;

// @ts-expect-error: plain ES module without declarations; typed by the interfaces above.
import * as render from '../../ascope_nb/views/static/render.js';
// @ts-expect-error: plain ES module without declarations; typed by the interfaces above.
import * as memory from '../../ascope_nb/views/static/memory.js';
// @ts-expect-error: plain ES module without declarations; typed by the interfaces above.
import * as hubGraph from '../../ascope_nb/views/static/hub_graph.js';

export const createRunRenderer = render.createRunRenderer as RunFactory;
/** A hub's chat with its "Who talks to whom" graph under it, as the live HubView draws it. */
export const createHubRenderer = hubGraph.withHubGraph(render.createHubRenderer) as RunFactory;
export const createMemoryRenderer = memory.createMemoryRenderer as MemoryFactory;
