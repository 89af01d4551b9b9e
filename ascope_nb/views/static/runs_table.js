// anywidget adapter of RunsTableView: the stored runs as a sortable, filterable table.
// Traits: rows, filters {agent, status, feedback, text}, formats, export_format, export_path,
// export_message, export_ok, opened, notice. Clicking a row sends {cmd: "open", run_id}; the
// kernel answers {type: "run", summary, events}, drawn below with the RunView renderer.
// Feedback on a stored run: the thumbs of a row, or the thumbs and comment of the opened run,
// send {cmd: "feedback", run_id, label, comment}; the kernel stores it and refreshes the rows.

import { h, clear, agentColor } from "./dom.js";
import { createRunRenderer, createHubRenderer } from "./render.js";
import { icon } from "./icons.js";

export const RUN_COLUMNS = ["started", "agent", "title", "status", "steps", "tool_calls", "tokens", "duration", "feedback"];
const SEARCHED = ["run_id", "agent", "title", "model", "status", "error"];

// The same rule as runs_table.row_matches in Python (the Export button relies on it).
export function rowMatches(row, filters) {
  const f = filters || {};
  for (const key of ["agent", "status"]) if (f[key] && row[key] !== f[key]) return false;
  const fb = row.feedback || "";
  if (f.feedback === "any" && !fb) return false;
  if (f.feedback === "none" && fb) return false;
  if ((f.feedback === "up" || f.feedback === "down") && fb !== f.feedback) return false;
  const text = String(f.text || "").trim().toLowerCase();
  return !text || SEARCHED.some((k) => String(row[k] ?? "").toLowerCase().includes(text));
}

function cell(key, v) {
  if (v == null || v === "") return "";
  if (key === "started") return new Date(v * 1000).toISOString().replace("T", " ").slice(0, 19);
  if (key === "duration") return `${Number(v).toFixed(2)}s`;
  return String(v);
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (a == null) return b == null ? 0 : -1;
  if (b == null) return 1;
  return String(a).localeCompare(String(b));
}

export function createRunsTable(container, { onCommand = () => {}, onFilters = () => {} } = {}) {
  const doc = container.ownerDocument;
  let rows = [];
  let filters = { agent: "", status: "", feedback: "", text: "" };
  let sortKey = "started";
  let ascending = false;
  let runRenderer = null;

  const select = (key, label) =>
    h(doc, "select", { "data-filter": key, "aria-label": label, onchange: (e) => setFilter(key, e.target.value) });
  const agentSel = select("agent", "agent");
  const statusSel = select("status", "status");
  const feedbackSel = select("feedback", "feedback");
  const search = h(doc, "input.ascope-search", {
    type: "search",
    placeholder: "Search runs",
    "data-filter": "text",
    oninput: () => setFilter("text", search.value),
  });
  const count = h(doc, "span.ascope-meta", { "data-testid": "ascope-runs-count" });
  const noticeEl = h(doc, "div.ascope-meta", { "data-testid": "ascope-runs-notice" });
  const formatSel = h(doc, "select", { "aria-label": "export format", "data-testid": "ascope-export-format" });
  const pathBox = h(doc, "input", { type: "text", placeholder: "path, e.g. train.jsonl", "data-testid": "ascope-export-path" });
  const exportBtn = h(doc, "button", {
    "data-testid": "ascope-export",
    onclick: () => onCommand({ cmd: "export", format: formatSel.value, path: pathBox.value }),
  }, "Export");
  const exportMsg = h(doc, "span.ascope-meta", { "data-testid": "ascope-export-message" });
  const headRow = h(doc, "tr");
  const tbody = h(doc, "tbody");
  const table = h(doc, "table", { "data-testid": "ascope-runs-table" }, h(doc, "thead", {}, headRow), tbody);
  const runBox = h(doc, "div", { "data-testid": "ascope-runs-opened" });
  const root = h(doc, "div.ascope-root.ascope-runs",
    {},
    h(doc, "div.ascope-header", {}, h(doc, "span.ascope-title", {}, "Runs"), count, agentSel, statusSel, feedbackSel, search),
    noticeEl,
    table,
    h(doc, "div.ascope-header", {}, formatSel, pathBox, exportBtn, exportMsg),
    runBox,
  );
  container.append(root);

  // (re)fill a <select>; the current value is marked with the `selected` attribute
  function options(sel, label, values, current) {
    clear(sel);
    if (label) sel.append(h(doc, "option", { value: "", selected: !current }, `${label}: all`));
    for (const v of values) sel.append(h(doc, "option", { value: v, selected: v === current }, v));
  }

  function renderFilters() {
    options(agentSel, "agent", [...new Set(rows.map((r) => r.agent))].sort(), filters.agent);
    options(statusSel, "status", [...new Set(rows.map((r) => r.status))].sort(), filters.status);
    options(feedbackSel, "feedback", ["up", "down", "any", "none"], filters.feedback);
    if (search.value !== (filters.text || "")) search.value = filters.text || "";
  }

  function renderHead() {
    clear(headRow);
    for (const key of RUN_COLUMNS) {
      const sorted = key === sortKey ? (ascending ? "ascending" : "descending") : "none";
      const arrow = sorted === "ascending" ? " ▲" : sorted === "descending" ? " ▼" : "";
      headRow.append(h(doc, "th", { "data-sort-key": key, "aria-sort": sorted, onclick: () => sortBy(key) }, key + arrow));
    }
  }

  function visible() {
    return rows.filter((r) => rowMatches(r, filters)).sort((a, b) => (ascending ? 1 : -1) * compare(a[sortKey], b[sortKey]));
  }

  function renderBody() {
    clear(tbody);
    const shown = visible();
    for (const r of shown) {
      tbody.append(
        h(doc, "tr", { "data-run-id": r.run_id, style: { cursor: "pointer" }, title: r.error || r.run_id, onclick: () => onCommand({ cmd: "open", run_id: r.run_id }) },
          ...RUN_COLUMNS.map((k) =>
            k === "feedback"
              ? h(doc, "td.ascope-cell-feedback", { "data-feedback": r.feedback || "" }, thumb(r, "up"), thumb(r, "down"))
              : h(doc, `td.ascope-cell-${k}`, k === "agent" ? { style: { color: agentColor(r.agent) } } : {}, cell(k, r[k])),
          ),
        ),
      );
    }
    count.textContent = `${shown.length} of ${rows.length} runs`;
  }

  // A row's thumb: shows the stored feedback (pressed) and rates the run when clicked.
  function thumb(r, label) {
    const title = `${label === "up" ? "Good run" : "Bad run"}: rate run ${r.run_id}`;
    return h(doc, "button.ascope-btn.ascope-thumb.ascope-thumb-sm", {
      type: "button",
      title,
      "aria-label": title,
      "aria-pressed": r.feedback === label ? "true" : "false",
      "data-testid": `ascope-row-thumbs-${label}`,
      onclick: (e) => {
        e.stopPropagation(); // rating a row does not open it
        onCommand({ cmd: "feedback", run_id: r.run_id, label, comment: "" });
      },
    }, icon(doc, label));
  }

  function setFilter(key, value) {
    filters = { ...filters, [key]: value || "" };
    renderBody();
    onFilters({ ...filters });
  }

  function sortBy(key, asc) {
    if (asc === undefined) ascending = key === sortKey ? !ascending : key !== "started";
    else ascending = !!asc;
    sortKey = key;
    renderHead();
    renderBody();
  }

  function showRun(msg) {
    if (runRenderer) runRenderer.destroy();
    clear(runBox);
    const create = msg.kind === "hub" ? createHubRenderer : createRunRenderer;
    // the opened run takes thumbs and a comment (stored by the kernel behind the table)
    const onRun = (cmd) => cmd.cmd === "feedback" && onCommand({ ...cmd, run_id: msg.run_id });
    runRenderer = create(runBox, { live: false, interactive: true, onCommand: onRun });
    runRenderer.setSummary({ ...(msg.summary || {}), interactive: true });
    runRenderer.setEvents(msg.events || []);
    for (const tr of tbody.children) tr.classList.toggle("ascope-selected", tr.getAttribute("data-run-id") === msg.run_id);
  }

  renderHead();
  return {
    root,
    setRows(list) { rows = [...(list || [])]; renderFilters(); renderBody(); },
    setFilters(obj) { filters = { agent: "", status: "", feedback: "", text: "", ...(obj || {}) }; renderFilters(); renderBody(); },
    setFormats(list, current) { options(formatSel, "", list || [], current || (list || [])[0]); },
    setPath(p) { if (p && !pathBox.value) pathBox.value = p; },
    setExportMessage(text, ok) { exportMsg.textContent = text || ""; exportMsg.style.color = ok ? "" : "var(--ascope-err)"; },
    setNotice(text) { noticeEl.textContent = text || ""; },
    showRun,
    notice(text) { noticeEl.textContent = text || ""; },
    sortBy,
    visible,
    destroy() { if (runRenderer) runRenderer.destroy(); root.remove(); },
  };
}

export default {
  render({ model, el }) {
    const t = createRunsTable(el, {
      onCommand: (cmd) => model.send(cmd),
      onFilters: (f) => { model.set("filters", f); model.save_changes(); },
    });
    const sync = {
      rows: () => t.setRows(model.get("rows")),
      filters: () => t.setFilters(model.get("filters")),
      formats: () => t.setFormats(model.get("formats"), model.get("export_format")),
      export_path: () => t.setPath(model.get("export_path")),
      export_message: () => t.setExportMessage(model.get("export_message"), model.get("export_ok")),
      notice: () => t.setNotice(model.get("notice")),
    };
    const onMsg = (msg) => {
      if (msg && msg.type === "run") t.showRun(msg);
      else if (msg && msg.type === "notice") t.notice(msg.text);
    };
    for (const [k, f] of Object.entries(sync)) { model.on(`change:${k}`, f); f(); }
    model.on("msg:custom", onMsg);
    const opened = model.get("opened");
    if (opened) model.send({ cmd: "open", run_id: opened });
    return () => {
      for (const [k, f] of Object.entries(sync)) model.off(`change:${k}`, f);
      model.off("msg:custom", onMsg);
      t.destroy();
    };
  },
};
