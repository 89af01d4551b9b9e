// anywidget adapter of TuneView: one synced trait `tune` (status, step, total, loss, curve,
// elapsed, eta, artifact) drawn as a header with Stop/Resume, a progress bar, a line of
// numbers and an SVG loss curve. Buttons send {cmd: "stop"} / {cmd: "resume"}.

const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

export function fmtLoss(x) {
  return typeof x === "number" ? Number(x.toPrecision(4)).toString() : "—";
}

export function fmtSeconds(s) {
  if (typeof s !== "number") return "—";
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function progressLine(s) {
  const parts = [`step ${s.step || 0}/${s.total || "?"}`, `loss ${fmtLoss(s.loss)}`, `${fmtSeconds(s.elapsed)} elapsed`];
  if (s.status === "training" && s.eta !== null && s.eta !== undefined) parts.push(`ETA ${fmtSeconds(s.eta)}`);
  return parts.join(" · ");
}

export function curvePoints(curve, width, height, pad = 3) {
  if (!curve || curve.length < 2) return "";
  const xs = curve.map((p) => p[0]);
  const ys = curve.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const dx = x1 - x0 || 1, dy = y1 - y0 || 1;
  return curve
    .map(([x, y]) => `${(pad + ((x - x0) / dx) * (width - 2 * pad)).toFixed(1)},${(pad + ((y1 - y) / dy) * (height - 2 * pad)).toFixed(1)}`)
    .join(" ");
}

export function createTuneRenderer(root, { onCommand }) {
  root.classList.add("ascope-tune-view");
  const head = el("div", { class: "ascope-tune-head" });
  const title = el("span", { class: "ascope-tune-title" });
  const meta = el("span", { class: "ascope-tune-meta" });
  const pill = el("span", { class: "ascope-tune-status" });
  const buttons = el("span", { class: "ascope-tune-buttons" });
  const mk = (cmd, label) => {
    const b = el("button", { type: "button", "data-cmd": cmd, "aria-label": `${label} the training` }, label);
    b.addEventListener("click", () => {
      b.disabled = true; // until the kernel's next state says otherwise
      onCommand({ cmd });
    });
    buttons.appendChild(b);
    return b;
  };
  const btn = { stop: mk("stop", "Stop"), resume: mk("resume", "Resume") };
  head.append(title, meta, pill, buttons);
  const bar = el("div", { class: "ascope-tune-bar", role: "progressbar", "aria-valuemin": "0" });
  const fill = el("div", { class: "ascope-tune-fill" });
  bar.appendChild(fill);
  const line = el("div", { class: "ascope-tune-progress" });
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", "ascope-tune-curve");
  svg.setAttribute("width", "240");
  svg.setAttribute("height", "48");
  svg.setAttribute("role", "img");
  const poly = document.createElementNS(SVG_NS, "polyline");
  poly.setAttribute("fill", "none");
  poly.setAttribute("stroke", "#1565c0");
  poly.setAttribute("stroke-width", "1.5");
  svg.appendChild(poly);
  const artifact = el("div", { class: "ascope-tune-artifact" });
  const error = el("div", { class: "ascope-tune-error" });
  const notice = el("div", { class: "ascope-tune-notice" });
  root.append(head, bar, line, svg, artifact, error, notice);

  return {
    setSummary(s) {
      s = s || {};
      title.textContent = `Tune ${s.name || ""}`;
      meta.textContent = `${s.method || ""} · ${s.samples || 0} samples${s.rejected ? `, ${s.rejected} rejected` : ""}`;
      pill.textContent = s.status || "";
      pill.dataset.status = s.status || "";
      btn.stop.disabled = s.status !== "training";
      btn.resume.disabled = !s.resumable;
      const total = s.total || 0;
      fill.style.width = total ? `${(100 * (s.step || 0)) / total}%` : "0%";
      bar.setAttribute("aria-valuemax", String(total));
      bar.setAttribute("aria-valuenow", String(s.step || 0));
      line.textContent = progressLine(s);
      poly.setAttribute("points", curvePoints(s.curve, 240, 48));
      svg.setAttribute("aria-label", `loss curve, last ${fmtLoss(s.loss)}`);
      artifact.textContent = s.artifact ? `adapter ${s.artifact}${s.parent ? ` (resumed from ${s.parent})` : ""}` : "";
      error.textContent = s.error || "";
      if (s.status !== "stopping") notice.textContent = "";
    },
    notice(text) {
      notice.textContent = text;
    },
    destroy() {
      root.replaceChildren();
    },
  };
}

export default {
  render({ model, el: root }) {
    const view = createTuneRenderer(root, { onCommand: (cmd) => model.send(cmd) });
    const onSummary = () => view.setSummary(model.get("tune"));
    const onMsg = (msg) => {
      if (msg && msg.type === "notice") view.notice(msg.text);
    };
    model.on("change:tune", onSummary);
    model.on("msg:custom", onMsg);
    onSummary();
    return () => {
      model.off("change:tune", onSummary);
      model.off("msg:custom", onMsg);
      view.destroy();
    };
  },
};
