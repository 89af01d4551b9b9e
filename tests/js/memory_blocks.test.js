// The memory table shows every block: multi-line text kept, empty rows say what they hold.
// Run: cd tests/js && npm test
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { createMemoryRenderer } from "../../ascope_nb/views/static/memory.js";

test("tool calls and results are visible, multi-line, never an empty cell", () => {
  const { document } = parseHTML("<!doctype html><html><body><div id=app></div></body></html>");
  const el = document.getElementById("app");
  const t = createMemoryRenderer(el, { title: "Friday" });
  t.setRows([
    { index: "", id: "sys_prompt", name: "system", role: "system", text: "You are Friday.", marks: ["sys_prompt"] },
    { index: 0, id: "a", name: "Friday", role: "assistant", text: '-> f({"x": 1})\nthinking: hm', block_types: ["tool_use", "thinking"] },
    { index: 1, id: "b", name: "system", role: "system", text: "", block_types: ["tool_result"] },
  ]);
  const cells = [...el.querySelectorAll("td.ascope-cell-text")];
  assert.deepEqual(cells.map((c) => c.textContent), ["You are Friday.", '-> f({"x": 1})\nthinking: hm', "[tool_result]"]);
  assert.equal(cells[1].style.getPropertyValue("white-space"), "pre-wrap");
});
