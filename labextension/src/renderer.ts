/**
 * The JupyterLab MIME renderer: a Lumino widget around the saved view.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { createSavedView, ISavedView } from './view.js';

export const RENDERER_CLASS = 'jp-AscopeRenderer';

export class AscopeRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass(RENDERER_CLASS);
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._view = this._view || createSavedView(this.node, this._mimeType);
    this._view.update(model.data[this._mimeType]);
    return Promise.resolve();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._view?.dispose();
    this._view = null;
    super.dispose();
  }

  private _mimeType: string;
  private _view: ISavedView | null = null;
}
