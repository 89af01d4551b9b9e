/**
 * A saved ascope output (run, hub or memory payload) drawn into a DOM node by the shared
 * renderer: no run controls (the run has ended). While the notebook has a kernel (found
 * through the kernel bridge, kernel.ts) a run or hub takes thumbs and a comment, stored by
 * the kernel; the stored feedback is then written into the output itself (`save`), so the
 * saved notebook shows it without a kernel.
 *
 * Example:
 *   const view = createSavedView(node, RUN_MIME, { save: (payload, html) => ... });
 *   view.update({ version: 1, events });
 *   view.attached(); // once in the page: offers feedback when a kernel is found
 */
import { findKernel, rateRun } from './kernel.js';
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
  /** The view is in the page: offer feedback if its notebook has a kernel. */
  attached(): void;
  dispose(): void;
}

export interface ISavedViewOptions {
  /** Write a new payload (and HTML transcript) into the output, e.g. `IMimeModel.setData`. */
  save?: (payload: Record<string, unknown>, html: string) => void;
}

/** The run id of a run's events (every event carries it), or "". */
export function runIdOf(events: readonly unknown[]): string {
  for (const ev of events) {
    const id = (ev as { run_id?: unknown } | null)?.run_id;
    if (typeof id === 'string' && id) {
      return id;
    }
  }
  return '';
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

export function createSavedView(
  node: HTMLElement,
  mimeType: string,
  options: ISavedViewOptions = {}
): ISavedView {
  const doc = node.ownerDocument;
  let payload: Payload | null = null;
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
    payload = p;
    if (mimeType === MEMORY_MIME) {
      mem = mem || createMemoryRenderer(node, { title: String(p.title ?? '') });
      mem.setTitle(String(p.title ?? ''));
      mem.setRows(p.rows as unknown[]);
      return;
    }
    if (!run) {
      const create = mimeType === HUB_MIME ? createHubRenderer : createRunRenderer;
      run = create(node, { live: false, interactive: false, onCommand: cmd => void feedback(cmd) });
    }
    run.setEvents(p.events as unknown[]);
  }

  async function feedback(cmd: Record<string, unknown>): Promise<void> {
    if (cmd.cmd !== 'feedback' || !payload || !run) {
      return;
    }
    const events = payload.events as unknown[];
    const kernel = findKernel(node);
    const runId = runIdOf(events);
    if (!kernel || !runId) {
      run.notice('Feedback not stored: this notebook has no kernel');
      return;
    }
    try {
      const label = String(cmd.label ?? '');
      const rated = await rateRun(kernel, runId, label, String(cmd.comment ?? ''));
      run.notice(`Feedback stored: ${label === 'up' ? 'good run' : 'bad run'}`);
      options.save?.({ ...payload, events: [...events, rated.event] }, rated.html);
    } catch (e) {
      run?.notice(`Feedback not stored: ${(e as Error).message}`);
    }
  }

  function attached(): void {
    const p = payload;
    const canRate = !!run && !!p && !!findKernel(node) && !!runIdOf(p.events as unknown[]);
    run?.setSummary({ interactive: canRate });
  }

  return {
    update,
    attached,
    dispose(): void {
      run?.destroy();
      mem?.destroy();
      error.remove();
      run = mem = null;
    }
  };
}

export { RUN_MIME, HUB_MIME, MEMORY_MIME };
