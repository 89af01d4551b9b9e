// The knowledge_retrieved event kind in the run view: query, chunks, scores and sources.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { createRunRenderer } from "../../ascope_nb/views/static/render.js";

test("retrieved chunks show inline with score and source", () => {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const r = createRunRenderer(el, {});
  const base = { schema: "ascope.event/1", run_id: "r", agent: "A", reply_id: "p", ts: 1 };
  r.setEvents([
    { ...base, kind: "run_started", seq: 0, input: [] },
    { ...base, kind: "knowledge_retrieved", seq: 1, query: "lighthouse colour", source: "knowledge", via: "reply",
      chunks: [{ text: "It was painted green.", score: 0.8123, doc_id: "d1", chunk_id: 0, source: "notes.txt" }] },
    { ...base, kind: "knowledge_retrieved", seq: 2, query: "tea", source: "long_term_memory", via: "tool", chunks: [] },
    { ...base, kind: "knowledge_retrieved", seq: 3, query: "Zarnak lighthouse colour", original_query: "and its colour?",
      source: "knowledge", via: "reply", chunks: [] },
  ]);
  const items = [...el.querySelectorAll("details.ascope-knowledge")];
  assert.equal(items.length, 3);
  assert.match(items[0].textContent, /Retrieved: 1 chunk\(s\) for "lighthouse colour"/);
  assert.match(items[0].textContent, /0\.812 notes\.txt It was painted green\./);
  assert.equal(items[1].getAttribute("data-kind"), "long_term_memory");
  assert.match(items[1].textContent, /Remembered \(tool\): 0 chunk\(s\).*nothing above the threshold/);
  assert.equal(items[0].querySelector(".ascope-rewritten"), null);
  // the model rewrote the user's text before retrieval: both are shown
  assert.match(items[2].textContent, /for "Zarnak lighthouse colour" \(rewritten from "and its colour\?"\)/);
});
