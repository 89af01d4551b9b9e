// Inline SVG icons, not emoji: with Debian's default fonts the emoji wrench, pause, next and thumbs draw as empty boxes.
// Drawn with currentColor so they follow the theme; 16×16 viewBox, 1em tall.
//
//   button.append(icon(doc, "pause"), "Pause");

const SVG_NS = "http://www.w3.org/2000/svg";

// name -> list of [tag, attrs]; strokes use currentColor, fills too unless "none".
const SHAPES = {
  stop: [["rect", { x: 3, y: 3, width: 10, height: 10, rx: 1.5 }]],
  pause: [["rect", { x: 3.5, y: 3, width: 3, height: 10, rx: 0.8 }], ["rect", { x: 9.5, y: 3, width: 3, height: 10, rx: 0.8 }]],
  play: [["path", { d: "M4.5 2.5v11l9-5.5z" }]],
  step: [["path", { d: "M3 2.5v11l7.5-5.5z" }], ["rect", { x: 11, y: 2.5, width: 2.2, height: 11, rx: 0.6 }]],
  tool: [["path", { d: "M10.6 1.2a4.3 4.3 0 0 0-4.1 5.6L1.3 12a1.6 1.6 0 0 0 2.3 2.3l5.2-5.2a4.3 4.3 0 0 0 5.7-4.1l-2.6 2.1-2.4-.6-.6-2.4 2.1-2.6a4 4 0 0 0-.4-.3z" }]],
  up: [["path", { d: "M1.5 7h3v7.5h-3z" }], ["path", { d: "M5.5 7.2 8.6 1.5c1.2 0 2 1 1.7 2.2L9.8 6h3.6c.9 0 1.5.8 1.3 1.6l-1.1 5.6a1.7 1.7 0 0 1-1.7 1.3H5.5z" }]],
  down: [["g", { transform: "rotate(180 8 8)" }, [["path", { d: "M1.5 7h3v7.5h-3z" }], ["path", { d: "M5.5 7.2 8.6 1.5c1.2 0 2 1 1.7 2.2L9.8 6h3.6c.9 0 1.5.8 1.3 1.6l-1.1 5.6a1.7 1.7 0 0 1-1.7 1.3H5.5z" }]]]],
  warn: [["path", { d: "M8 1.8 15 14.2H1z", fill: "none", stroke: "currentColor", "stroke-width": 1.5, "stroke-linejoin": "round" }], ["path", { d: "M8 6.2v4M8 11.8v.9", fill: "none", stroke: "currentColor", "stroke-width": 1.6, "stroke-linecap": "round" }]],
  person: [["circle", { cx: 8, cy: 4.8, r: 3 }], ["path", { d: "M2.2 15c.4-3.4 2.8-5.2 5.8-5.2s5.4 1.8 5.8 5.2z" }]],
  mic: [["rect", { x: 5.5, y: 1, width: 5, height: 9, rx: 2.5 }], ["path", { d: "M3 7.5a5 5 0 0 0 10 0M8 12.5V15", fill: "none", stroke: "currentColor", "stroke-width": 1.4 }]],
  guide: [["path", { d: "M2 2.5h12v8.5H7.5L4 14v-3H2z", fill: "none", stroke: "currentColor", "stroke-width": 1.5, "stroke-linejoin": "round" }]],
};

function build(doc, [tag, attrs, children]) {
  const el = doc.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children || []) el.append(build(doc, c));
  return el;
}

// An inline <svg> icon, hidden from screen readers (its button carries the name).
export function icon(doc, name) {
  const svg = doc.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "1em");
  svg.setAttribute("height", "1em");
  svg.setAttribute("fill", "currentColor");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", `ascope-icon ascope-icon-${name}`);
  for (const shape of SHAPES[name] || []) svg.append(build(doc, shape));
  return svg;
}

export const ICONS = Object.keys(SHAPES);
