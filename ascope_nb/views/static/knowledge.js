// A knowledge_retrieved item of the run view: the query (and the user's text when the model
// rewrote it), then each chunk with its score and source (what the agent was given from a
// knowledge base or its long-term memory).

import { h } from "./dom.js";

export function knowledgeNode(doc, item) {
  const label = item.source === "long_term_memory" ? "Remembered" : "Retrieved";
  const via = item.via === "tool" ? " (tool)" : "";
  const rows = (item.chunks || []).map((c, i) =>
    h(doc, "li.ascope-chunk", { "data-rank": i + 1 },
      h(doc, "span.ascope-muted", {}, `${c.score == null ? "" : Number(c.score).toFixed(3)} ${c.source || c.doc_id || ""} `),
      h(doc, "span", {}, String(c.text || ""))));
  return h(doc, "details.ascope-knowledge", { "data-kind": item.source || "knowledge" },
    h(doc, "summary", {}, h(doc, "b", {}, `${label}${via}: ${(item.chunks || []).length} chunk(s)`),
      h(doc, "span.ascope-muted", {}, ` for "${item.query || ""}"`),
      item.original_query ? h(doc, "span.ascope-muted.ascope-rewritten", {}, ` (rewritten from "${item.original_query}")`) : null),
    rows.length ? h(doc, "ol", {}, ...rows) : h(doc, "div.ascope-muted", {}, "nothing above the threshold"));
}
