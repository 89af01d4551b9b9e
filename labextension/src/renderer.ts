/**
 * The JupyterLab MIME renderer: a Lumino widget around the saved view.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
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
    this._model = model;
    this._view =
      this._view ||
      createSavedView(this.node, this._mimeType, {
        // stored feedback goes into the output itself (saved with the notebook)
        save: (payload, html) => {
          const data = { ...this._model?.data, [this._mimeType]: payload, 'text/html': html };
          this._model?.setData({ data: data as IRenderMime.IMimeModel['data'] });
        }
      });
    this._view.update(model.data[this._mimeType]);
    if (this.isAttached) {
      this._view.attached();
    }
    return Promise.resolve();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._view?.attached();
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
  private _model: IRenderMime.IMimeModel | null = null;
  private _view: ISavedView | null = null;
}
