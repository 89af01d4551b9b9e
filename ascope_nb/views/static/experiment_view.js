// anywidget adapter of ExperimentView: a summary trait (progress, ETA, metric means with
// 95% CIs, counts) and rows streamed as {type: "rows"} messages into a sortable table.
// Clicking a row asks the kernel for that run's transcript ({cmd: "open", run_id}).

const STATUS_COLORS = { completed: "#2e7d32", max_iters: "#8d6e63", error: "#c62828", timeout: "#c62828", interrupted: "#6d6d6d", running: "#1565c0", retrying: "#ef6c00", pending: "#9e9e9e" };

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(x) {
  if (x === null || x === undefined) return "—";
  if (typeof x === "number") return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3).replace(/\.?0+$/, "");
  return String(x);
}

function duration(s) {
  if (s === null || s === undefined) return "—";
  if (s < 60) return `${s.toFixed(0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function createExperimentRenderer(root, { onCommand }) {
  root.classList.add("ascope-experiment-view");
  const head = el("div", { class: "ascope-exp-head" });
  const title = el("span", { class: "ascope-exp-title" });
  const pill = el("span", { class: "ascope-exp-status" });
  const buttons = el("span", { class: "ascope-exp-buttons" });
  const mk = (cmd, label) => {
    const b = el("button", { type: "button", "data-cmd": cmd, "aria-label": `${label} the experiment` }, label);
    b.addEventListener("click", () => onCommand({ cmd }));
    buttons.appendChild(b);
    return b;
  };
  const btn = { pause: mk("pause", "Pause"), resume: mk("resume", "Resume"), stop: mk("stop", "Stop") };
  head.append(title, pill, buttons);
  const bar = el("div", { class: "ascope-exp-bar", role: "progressbar", "aria-valuemin": "0" });
  const fill = el("div", { class: "ascope-exp-fill" });
  bar.appendChild(fill);
  const progress = el("div", { class: "ascope-exp-progress" });
  const metrics = el("div", { class: "ascope-exp-metrics" });
  const counts = el("div", { class: "ascope-exp-counts" });
  const table = el("table", { class: "ascope-exp-table" });
  const transcript = el("div", { class: "ascope-exp-transcript" });
  root.append(head, bar, progress, metrics, counts, table, transcript);

  const rows = new Map();
  let summary = {};
  let sortKey = "sample_id";
  let sortDir = 1;

  function renderSummary() {
    const s = summary;
    title.textContent = `Experiment ${s.name || ""}`;
    pill.textContent = s.status || "";
    pill.dataset.status = s.status || "";
    const live = s.status === "running" || s.status === "starting";
    btn.pause.disabled = s.status !== "running";
    btn.resume.disabled = s.status !== "paused";
    btn.stop.disabled = !(live || s.status === "paused");
    const total = s.total || 0;
    const done = s.finished || 0;
    fill.style.width = total ? `${(100 * done) / total}%` : "0%";
    bar.setAttribute("aria-valuemax", String(total));
    bar.setAttribute("aria-valuenow", String(done));
    const eta = live && s.eta !== null && s.eta !== undefined ? ` · ETA ${duration(s.eta)}` : "";
    const resumed = s.resumed ? ` · ${s.resumed} resumed` : "";
    progress.textContent = `${done}/${total} samples · ${duration(s.elapsed)} elapsed${eta}${resumed} · ${s.tokens || 0} tokens · ${s.backend || ""}`;
    metrics.replaceChildren(
      ...(s.metrics || []).map((m) => {
        const chip = el("span", { class: "ascope-exp-metric", "data-metric": m.name });
        const ci = m.n > 1 ? ` [${fmt(m.low)}, ${fmt(m.high)}]` : "";
        chip.textContent = `${m.name}: ${fmt(m.mean)}${ci} (n=${m.n})`;
        return chip;
      }),
    );
    counts.textContent = Object.entries(s.counts || {})
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(" · ");
    if (s.error) counts.textContent += ` · ${s.error}`;
  }

  function columns() {
    return ["sample_id", "repeat", "status", ...(summary.metric_names || []), "answer", "duration", "tokens"];
  }

  function value(row, key) {
    if (row.scores && key in row.scores) return row.scores[key];
    if (row.labels && key in row.labels) return row.labels[key]; // category metrics
    return row[key];
  }

  function renderTable() {
    const cols = columns();
    const header = el("tr");
    for (const c of cols) {
      const th = el("th", { "data-col": c, tabindex: "0", "aria-sort": c === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none" }, c);
      th.addEventListener("click", () => {
        sortDir = c === sortKey ? -sortDir : 1;
        sortKey = c;
        renderTable();
      });
      header.appendChild(th);
    }
    const sorted = [...rows.values()].sort((a, b) => {
      const x = value(a, sortKey);
      const y = value(b, sortKey);
      if (x === y) return 0;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true })) * sortDir;
    });
    const body = sorted.map((r) => {
      const tr = el("tr", { "data-run": r.run_id || "", "data-key": r.key, title: r.error || r.input || "" });
      for (const c of cols) {
        const td = el("td", { "data-col": c }, fmt(value(r, c)));
        if (c === "status") td.style.color = STATUS_COLORS[r.status] || "";
        tr.appendChild(td);
      }
      if (r.run_id) {
        tr.classList.add("ascope-exp-openable");
        tr.addEventListener("click", () => {
          transcript.textContent = "loading transcript…";
          onCommand({ cmd: "open", run_id: r.run_id });
        });
      }
      return tr;
    });
    table.replaceChildren(header, ...body);
  }

  return {
    setSummary(s) {
      summary = s || {};
      renderSummary();
    },
    setRows(list, reset) {
      if (reset) rows.clear();
      for (const r of list) rows.set(r.key, r);
      renderTable();
    },
    showTranscript(runId, html) {
      transcript.innerHTML = html;
      transcript.dataset.run = runId;
    },
    destroy() {
      root.replaceChildren();
    },
  };
}

export default {
  render({ model, el: root }) {
    const view = createExperimentRenderer(root, { onCommand: (cmd) => model.send(cmd) });
    const onSummary = () => view.setSummary(model.get("summary"));
    let pendingRows = [];
    let timer = null;
    const onMsg = (msg) => {
      if (!msg || typeof msg !== "object") return;
      if (msg.type === "rows") {
        if (msg.reset) {
          pendingRows = [];
          view.setRows(msg.rows, true);
        } else {
          pendingRows.push(...msg.rows);
          if (!timer) timer = setTimeout(() => { timer = null; view.setRows(pendingRows, false); pendingRows = []; }, 100);
        }
      } else if (msg.type === "transcript") view.showTranscript(msg.run_id, msg.html);
    };
    model.on("change:summary", onSummary);
    model.on("msg:custom", onMsg);
    onSummary();
    model.send({ cmd: "snapshot" });
    return () => {
      if (timer) clearTimeout(timer);
      model.off("change:summary", onSummary);
      model.off("msg:custom", onMsg);
      view.destroy();
    };
  },
};
