// An agent's memory as a sortable, searchable table. Rows: {index, id, name, role, text,
// block_types, tool_calls, marks, timestamp} (memory_view.py: `text` has every block, one per
// line: tool calls "-> f({...})", results "<- f: ...", "thinking: ..."; kept as multi-line).
//
//   const t = createMemoryRenderer(el); t.setRows(rows); t.sortBy("name");

import { h, clear, agentColor } from "./dom.js";

export const MEMORY_COLUMNS = ["index", "name", "role", "text", "marks", "timestamp"];

function cellText(v) {
  if (Array.isArray(v)) return v.join(", ");
  return v == null ? "" : String(v);
}

// A row whose text is empty still says what it holds (its block types).
function rowText(r) {
  const text = cellText(r.text);
  if (text) return text;
  const types = Array.isArray(r.block_types) ? r.block_types.filter(Boolean) : [];
  return types.length ? `[${types.join(", ")}]` : "";
}

function cellAttrs(key, r) {
  if (key === "name") return { style: { color: agentColor(r.name) } };
  if (key === "text") return { style: { "white-space": "pre-wrap", "word-break": "break-word" } };
  return {};
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return cellText(a).localeCompare(cellText(b));
}

export function createMemoryRenderer(container, { title = "" } = {}) {
  const doc = container.ownerDocument;
  let rows = [];
  let sortKey = "index";
  let ascending = true;
  let query = "";
  const search = h(doc, "input.ascope-search", {
    type: "search",
    placeholder: "Search memory",
    "data-testid": "ascope-memory-search",
    oninput: () => {
      query = String(search.value || "").trim().toLowerCase();
      renderBody();
    },
  });
  const titleEl = h(doc, "span.ascope-title", {}, title);
  const count = h(doc, "span.ascope-meta", { "data-testid": "ascope-memory-count" });
  const headRow = h(doc, "tr");
  const tbody = h(doc, "tbody");
  const table = h(doc, "table", { "data-testid": "ascope-memory-table" }, h(doc, "thead", {}, headRow), tbody);
  const root = h(doc, "div.ascope-root.ascope-memory", {}, h(doc, "div.ascope-header", {}, titleEl, count, search), table);
  container.append(root);

  function renderHead() {
    clear(headRow);
    for (const key of MEMORY_COLUMNS) {
      const sorted = key === sortKey ? (ascending ? "ascending" : "descending") : "none";
      const arrow = sorted === "ascending" ? " ▲" : sorted === "descending" ? " ▼" : "";
      headRow.append(h(doc, "th", { "data-sort-key": key, "aria-sort": sorted, onclick: () => sortBy(key) }, key + arrow));
    }
  }

  function renderBody() {
    clear(tbody);
    const shown = rows
      .filter((r) => !query || MEMORY_COLUMNS.some((k) => cellText(r[k]).toLowerCase().includes(query)))
      .sort((a, b) => (ascending ? 1 : -1) * compare(a[sortKey], b[sortKey]));
    for (const r of shown) {
      tbody.append(
        h(doc, "tr", { "data-msg-id": r.id || "" },
          ...MEMORY_COLUMNS.map((k) =>
            h(doc, `td.ascope-cell-${k}`, cellAttrs(k, r), k === "text" ? rowText(r) : cellText(r[k])),
          ),
        ),
      );
    }
    count.textContent = `${shown.length} of ${rows.length} messages`;
  }

  function sortBy(key, asc) {
    if (asc === undefined) ascending = key === sortKey ? !ascending : true;
    else ascending = !!asc;
    sortKey = key;
    renderHead();
    renderBody();
  }

  function setRows(list) {
    rows = [...(list || [])];
    renderBody();
  }

  renderHead();
  renderBody();
  return { root, setRows, sortBy, setTitle: (t) => (titleEl.textContent = t || ""), destroy: () => root.remove() };
}
