// anywidget adapter of RunView over render.js (see mount.js for the message protocol).

import { createRunRenderer } from "./render.js";
import { mountRunWidget } from "./mount.js";

export default {
  render({ model, el }) {
    return mountRunWidget(model, el, createRunRenderer);
  },
};
