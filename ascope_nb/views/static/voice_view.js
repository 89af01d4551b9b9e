// anywidget adapter of VoiceView: the run view with a microphone button (see voice.js).

import { createRunRenderer } from "./render.js";
import { mountRunWidget } from "./mount.js";

export default {
  render({ model, el }) {
    return mountRunWidget(model, el, createRunRenderer, { voice: true });
  },
};
