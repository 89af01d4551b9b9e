// anywidget adapter of RunView over render.js (see mount.js for the message protocol).

import { createRunRenderer } from "./render.js";
import { mountRunWidget } from "./mount.js";
import { mountTraceId } from "./trace_id.js";

export default {
  render({ model, el }) {
    const unmount = mountRunWidget(model, el, createRunRenderer);
    const unmountTrace = mountTraceId(model, el);
    return () => {
      unmountTrace();
      unmount();
    };
  },
};
