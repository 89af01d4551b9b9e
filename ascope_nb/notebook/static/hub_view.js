// anywidget adapter of HubView: the run adapter with the chat layout of render.js.

import { createHubRenderer } from "./render.js";
import { mountRunWidget } from "./mount.js";

export default {
  render({ model, el }) {
    return mountRunWidget(model, el, createHubRenderer);
  },
};
