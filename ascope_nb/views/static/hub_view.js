// anywidget adapter of HubView: the run adapter with the chat layout of render.js.

import { createHubRenderer } from "./render.js";
import { withHubGraph } from "./hub_graph.js";
import { mountRunWidget } from "./mount.js";
import { mountTraceId } from "./trace_id.js";

export default {
  render({ model, el }) {
    const unmount = mountRunWidget(model, el, withHubGraph(createHubRenderer)); // + who talks to whom
    const unmountTrace = mountTraceId(model, el);
    return () => {
      unmountTrace();
      unmount();
    };
  },
};
