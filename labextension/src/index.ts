/**
 * ascope-nb: renders saved ascope_nb runs, hubs and memories in JupyterLab and Notebook 7
 * without a kernel, with the same renderer as the live widget.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { MIME_TYPES, RANK } from './mime.js';
import { AscopeRenderer } from './renderer.js';

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true, // builds DOM from data with textContent; runs no code from the output
  mimeTypes: MIME_TYPES,
  defaultRank: RANK,
  createRenderer: options => new AscopeRenderer(options)
};

const extension: IRenderMime.IExtension = {
  id: 'ascope-nb:saved-runs',
  description: 'Saved ascope_nb runs, hubs and memories, rendered without a kernel.',
  rendererFactory,
  rank: RANK,
  dataType: 'json'
};

export default extension;
export { MIME_TYPES, RANK } from './mime.js';
export { createSavedView, payloadProblem } from './view.js';
