/**
 * The MIME types of ascope_nb's kernel-free outputs (see ascope_nb/views).
 *
 * - run:    `{version: 1, events: [...]}`        (RunView of an ended run)
 * - hub:    `{version: 1, events: [...]}`        (HubView, a MsgHub conversation)
 * - memory: `{version: 1, title, rows: [...]}`   (MemoryView)
 */
export const RUN_MIME = 'application/vnd.ascope.run+json';
export const HUB_MIME = 'application/vnd.ascope.hub+json';
export const MEMORY_MIME = 'application/vnd.ascope.memory+json';

export const MIME_TYPES = [RUN_MIME, HUB_MIME, MEMORY_MIME];

/** The payload versions this renderer understands. */
export const SUPPORTED_VERSION = 1;

/**
 * Rank of the renderer: below `text/html` (50) so a notebook that carries both shows the
 * rich view, above the ipywidgets view (-10) so a live widget keeps its buttons.
 */
export const RANK = 40;
