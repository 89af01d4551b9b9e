// Who talks to whom in a hub run: agents as nodes, messages as edges, replayable by round.
// The JS twin of ascope_nb/views/hub_graph.py: turns come from the one fold's items
// (each message once, with the agents that observed it); rounds as documented there.

import { createFold, blockText } from "./fold.js";
import { agentColor, h, clear } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

export function hubTurns(items) {
  const turns = [];
  let round = 0;
  let spoke = new Set();
  for (const item of items) {
    let speaker, text, reply;
    const observers = [...(item.observers || [])];
    if (item.type === "step") {
      if (!observers.length && !item.text) continue; // a tool-calling step nobody heard
      speaker = item.agent || "";
      text = item.text || "";
      reply = true;
    } else if (item.type === "input" || item.type === "message" || item.type === "observed") {
      const msg = item.msg || {};
      speaker = msg.name || msg.role || "";
      text = blockText(msg.content ?? "");
      reply = false;
    } else continue;
    if (reply) {
      if (round === 0 || spoke.has(speaker)) {
        round += 1;
        spoke = new Set();
      }
      spoke.add(speaker);
    }
    turns.push({ index: turns.length, round, speaker, observers: observers.map(String), text, reply });
  }
  return turns;
}

export function hubEdges(turns, uptoRound = null) {
  const edges = new Map(); // "a\u0000b" -> count
  for (const t of turns) {
    if (uptoRound != null && t.round > uptoRound) continue;
    for (const o of t.observers) {
      const key = `${t.speaker}\u0000${o}`;
      edges.set(key, (edges.get(key) || 0) + 1);
    }
  }
  return edges;
}

export function hubNodes(turns) {
  const seen = [];
  for (const t of turns) for (const n of [t.speaker, ...t.observers]) if (!seen.includes(n)) seen.push(n);
  return seen;
}

function svgEl(doc, tag, attrs, ...children) {
  const el = doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === "string" ? doc.createTextNode(c) : c);
  return el;
}

function drawGraph(doc, nodes, edges, current, size = 260) {
  const c = size / 2;
  const r = size / 2 - 40;
  const at = new Map(nodes.map((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(nodes.length, 1) - Math.PI / 2;
    return [n, [c + r * Math.cos(a), c + r * Math.sin(a)]];
  }));
  const svg = svgEl(doc, "svg", { class: "ascope-hub-graph", width: size, height: size, viewBox: `0 0 ${size} ${size}` });
  for (const [key, count] of edges) {
    const [a, b] = key.split("\u0000");
    const [x1, y1] = at.get(a);
    const [x2, y2] = at.get(b);
    const now = current && current.speaker === a && current.observers.includes(b);
    svg.append(svgEl(doc, "line", {
      x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1),
      stroke: agentColor(a), "stroke-opacity": now ? 1 : 0.45, "stroke-width": Math.min(1 + count, 6),
      "data-edge": `${a}->${b}`, "data-count": count,
    }, svgEl(doc, "title", {}, `${a} → ${b}: ${count}`)));
  }
  for (const [name, [x, y]] of at) {
    svg.append(svgEl(doc, "circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: current && current.speaker === name ? 10 : 7, fill: agentColor(name), "data-node": name }));
    svg.append(svgEl(doc, "text", { x: x.toFixed(1), y: (y - 12).toFixed(1), "text-anchor": "middle", "font-size": 11 }, name));
  }
  return svg;
}

// A graph panel under a hub chat: a round slider replays the conversation.
export function createHubGraph(container) {
  const doc = container.ownerDocument;
  let fold = createFold();
  let round = null; // null: follow the latest round
  const slider = h(doc, "input", { type: "range", min: 0, max: 0, value: 0, "aria-label": "Round", "data-testid": "ascope-hub-round" });
  const label = h(doc, "span.ascope-muted", { "data-testid": "ascope-hub-round-label" });
  const canvas = h(doc, "div.ascope-hub-graph-canvas");
  const box = h(doc, "details.ascope-hub-graph-box", { "data-testid": "ascope-hub-graph" },
    h(doc, "summary", {}, "Who talks to whom"), h(doc, "div", {}, slider, " ", label), canvas);
  container.append(box);
  slider.addEventListener("input", () => {
    const last = Number(slider.max);
    round = Number(slider.value) >= last ? null : Number(slider.value);
    draw();
  });

  function draw() {
    const turns = hubTurns(fold.items);
    const last = turns.length ? turns[turns.length - 1].round : 0;
    const shown = round == null ? last : Math.min(round, last);
    slider.max = String(last);
    slider.value = String(shown);
    const said = turns.filter((t) => t.round <= shown);
    label.textContent = `round ${shown} of ${last} · ${said.length} of ${turns.length} messages`;
    clear(canvas);
    canvas.append(drawGraph(doc, hubNodes(turns), hubEdges(turns, shown), said[said.length - 1] || null));
  }

  return {
    setEvents(events) {
      fold = createFold();
      for (const ev of events || []) fold.add(ev);
      draw();
    },
    addEvents(events) {
      for (const ev of events || []) fold.add(ev);
      draw();
    },
    setRound(r) {
      round = r;
      draw();
    },
    turns: () => hubTurns(fold.items),
    destroy() {
      box.remove();
    },
  };
}

// Wraps a renderer factory (createHubRenderer) so the graph follows the same events.
export function withHubGraph(create) {
  return (el, options) => {
    const renderer = create(el, options);
    const graph = createHubGraph(el);
    return {
      ...renderer,
      setEvents(events) {
        renderer.setEvents(events);
        graph.setEvents(events);
      },
      addEvents(events) {
        renderer.addEvents(events);
        graph.addEvents(events);
      },
      destroy() {
        graph.destroy();
        renderer.destroy();
      },
    };
  };
}
