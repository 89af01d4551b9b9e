// anywidget adapter of MemoryView: the `rows` trait rendered by memory.js.

import { createMemoryRenderer } from "./memory.js";

export default {
  render({ model, el }) {
    const table = createMemoryRenderer(el, { title: model.get("title") });
    const update = () => table.setRows(model.get("rows"));
    const retitle = () => table.setTitle(model.get("title"));
    model.on("change:rows", update);
    model.on("change:title", retitle);
    update();
    return () => {
      model.off("change:rows", update);
      model.off("change:title", retitle);
      table.destroy();
    };
  },
};
