// The run's OpenTelemetry trace id under the live view, with a copy button (tracing on only).
// Kept apart from render.js on purpose: it reads one trait, `trace_id`, and owns one element.

export function mountTraceId(model, el) {
  const doc = el.ownerDocument;
  const line = doc.createElement("div");
  line.className = "ascope-meta ascope-trace";
  line.dataset.testid = "ascope-trace-id";
  const code = doc.createElement("code");
  const copy = doc.createElement("button");
  copy.className = "ascope-btn";
  copy.textContent = "copy";
  copy.title = "Copy the trace id";
  copy.addEventListener("click", () => {
    const id = model.get("trace_id") || "";
    if (navigator.clipboard) navigator.clipboard.writeText(id).catch(() => {});
  });
  line.append("trace ", code, " ", copy);
  const update = () => {
    const id = model.get("trace_id") || "";
    code.textContent = id;
    line.hidden = !id;
  };
  update();
  el.append(line);
  model.on("change:trace_id", update);
  return () => {
    model.off("change:trace_id", update);
    line.remove();
  };
}
