/**
 * How the saved-run renderer reaches the kernel of the notebook it is drawn in.
 *
 * A MIME renderer is given no kernel; the `ascope-nb:kernel-bridge` plugin (plugin.ts)
 * registers a finder that maps a DOM node to the kernel of the notebook panel holding it.
 * The finder is kept on `globalThis` because the plugin and the MIME extension are separate
 * entry points of the bundle.
 *
 * Example:
 *   const kernel = findKernel(node);
 *   if (kernel) await rateRun(kernel, runId, 'up', 'clear answer');
 */

/** The part of a `Kernel.IKernelConnection` used here. */
export interface IKernelLike {
  readonly status?: string;
  requestExecute(content: {
    code: string;
    silent?: boolean;
    store_history?: boolean;
    user_expressions?: Record<string, string>;
  }): { done: Promise<{ content: Record<string, unknown> }> };
}

export type KernelFinder = (node: Node) => IKernelLike | null;

const KEY = '__ascopeKernelFinder';

export function setKernelFinder(finder: KernelFinder | null): void {
  (globalThis as Record<string, unknown>)[KEY] = finder;
}

export function findKernel(node: Node): IKernelLike | null {
  const finder = (globalThis as Record<string, unknown>)[KEY] as KernelFinder | undefined;
  const kernel = finder ? finder(node) : null;
  return kernel && kernel.status !== 'dead' ? kernel : null;
}

/** What the kernel stored: the feedback event and the run's new HTML transcript. */
export interface IRated {
  event: Record<string, unknown>;
  html: string;
}

/** Python string literal of a JS string (JSON's escapes are valid in Python). */
const py = (s: string): string => JSON.stringify(s);

/**
 * Store feedback on an ended run through the kernel (`rate_stored_run` in
 * `ascope_nb/views/run_view.py`); throws with the kernel's one-line error.
 */
export async function rateRun(
  kernel: IKernelLike,
  runId: string,
  label: string,
  comment: string
): Promise<IRated> {
  const expr =
    "__import__('ascope_nb.views.run_view', fromlist=['rate_stored_run'])" +
    `.rate_stored_run(${py(runId)}, label=${py(label)}, comment=${py(comment)})`;
  const reply = await kernel.requestExecute({
    code: '',
    silent: true,
    store_history: false,
    user_expressions: { rated: expr }
  }).done;
  const out = (reply.content.user_expressions as Record<string, any> | undefined)?.rated;
  if (!out || out.status !== 'ok') {
    throw new Error(out ? `${out.ename}: ${out.evalue}` : 'the kernel gave no answer');
  }
  const data = out.data?.['application/json'] as IRated | undefined;
  if (!data || typeof data !== 'object') {
    throw new Error('the kernel answered without the stored feedback');
  }
  return data;
}
