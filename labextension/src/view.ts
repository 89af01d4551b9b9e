/**
 * A saved ascope output (run, hub or memory payload) drawn into a DOM node by the shared
 * renderer, read-only: no steering or feedback controls, since no kernel is behind it.
 *
 * Example:
 *   const view = createSavedView(node, RUN_MIME);
 *   view.update({ version: 1, events });
 */
import { HUB_MIME, MEMORY_MIME, RUN_MIME, SUPPORTED_VERSION } from './mime.js';
import {
  createHubRenderer,
  createMemoryRenderer,
  createRunRenderer,
  IMemoryRenderer,
  IRunRenderer
} from './shared.js';

export interface ISavedView {
  /** Redraw from a new payload (a display update replaces the whole output). */
  update(data: unknown): void;
  dispose(): void;
}

type Payload = { version?: unknown; events?: unknown; rows?: unknown; title?: unknown };

/** Why a payload cannot be drawn, or null when it can. */
export function payloadProblem(mimeType: string, data: unknown): string | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return `${mimeType}: expected a JSON object`;
  }
  const p = data as Payload;
  if (p.version !== SUPPORTED_VERSION) {
    return `${mimeType}: unsupported version ${JSON.stringify(p.version)} (this extension reads version ${SUPPORTED_VERSION}; upgrade ascope-nb)`;
  }
  const key = mimeType === MEMORY_MIME ? 'rows' : 'events';
  if (!Array.isArray(p[key])) {
    return `${mimeType}: "${key}" must be a list`;
  }
  return null;
}

export function createSavedView(node: HTMLElement, mimeType: string): ISavedView {
  const doc = node.ownerDocument;
  const error = doc.createElement('pre');
  error.className = 'ascope-pre ascope-error jp-AscopeRenderer-error';
  let run: IRunRenderer | null = null;
  let mem: IMemoryRenderer | null = null;

  function update(data: unknown): void {
    const problem = payloadProblem(mimeType, data);
    if (problem) {
      error.textContent = problem;
      node.append(error);
      return;
    }
    error.remove();
    const p = data as Payload;
    if (mimeType === MEMORY_MIME) {
      mem = mem || createMemoryRenderer(node, { title: String(p.title ?? '') });
      mem.setTitle(String(p.title ?? ''));
      mem.setRows(p.rows as unknown[]);
      return;
    }
    if (!run) {
      const create = mimeType === HUB_MIME ? createHubRenderer : createRunRenderer;
      run = create(node, { live: false, interactive: false });
    }
    run.setEvents(p.events as unknown[]);
  }

  return {
    update,
    dispose(): void {
      run?.destroy();
      mem?.destroy();
      error.remove();
      run = mem = null;
    }
  };
}

export { RUN_MIME, HUB_MIME, MEMORY_MIME };
