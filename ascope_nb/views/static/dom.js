// Small DOM helpers shared by the run, hub and memory renderers. No framework.

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

// A stable colour per agent name (same hash as views/_html.py agent_color).
export function agentColor(name) {
  let h = 0;
  for (const ch of String(name || "")) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

// h(doc, "div.cls1.cls2", {attrs}, ...children): children are nodes or strings (text nodes).
export function h(doc, tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = doc.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "style" && typeof v === "object") {
      for (const [sk, sv] of Object.entries(v)) el.style.setProperty(sk, sv);
    } else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(typeof c === "string" ? doc.createTextNode(c) : c);
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function fmtSeconds(s) {
  if (s == null || !isFinite(s)) return "…";
  return s < 60 ? `${s.toFixed(2)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

export function prettyJson(value) {
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

// Output blocks (text, image, audio, other) as nodes. Only image/* and audio/* data and
// http(s) URLs are shown.
export function blocksNodes(doc, blocks) {
  if (typeof blocks === "string") return [h(doc, "pre.ascope-pre", {}, blocks)];
  const out = [];
  for (const b of blocks || []) {
    if (!b) continue;
    if (b.type === "text") out.push(h(doc, "pre.ascope-pre", {}, String(b.text ?? "")));
    else if (b.type === "image") {
      const src = b.source || {};
      if (src.type === "base64" && /^image\/[\w.+-]+$/.test(src.media_type || ""))
        out.push(h(doc, "img.ascope-img", { alt: "image", src: `data:${src.media_type};base64,${src.data}` }));
      else if (src.type === "url" && /^https?:\/\//.test(src.url || ""))
        out.push(h(doc, "img.ascope-img", { alt: "image", src: src.url }));
    } else if (b.type === "audio") {
      // audio made by a tool (e.g. openai_text_to_audio): a player for audio/* data or a URL
      const src = b.source || {};
      if (src.type === "base64" && /^audio\/[\w.+-]+$/.test(src.media_type || ""))
        out.push(h(doc, "audio", { controls: "", preload: "none", src: `data:${src.media_type};base64,${src.data}` }));
      else if (src.type === "url" && /^https?:\/\//.test(src.url || ""))
        out.push(h(doc, "audio", { controls: "", preload: "none", src: src.url }));
      else if (src.type === "url" && /^(?:[\w-][\w.-]*\/)*[\w-][\w.-]*\.wav$/.test(src.url || ""))
        // long speech saved beside the notebook (views/_speech_saved.py): named, linked
        out.push(h(doc, "a.ascope-audio-file", { href: src.url, target: "_blank" }, `[audio: ${src.url}]`));
      else out.push(h(doc, "pre.ascope-pre", {}, "[audio]"));
    } else out.push(h(doc, "pre.ascope-pre", {}, prettyJson(b)));
  }
  return out;
}

export const STATUS_LABELS = {
  idle: "idle",
  running: "running",
  paused: "paused",
  waiting_approval: "waiting approval",
  waiting_input: "waiting input",
  completed: "completed",
  interrupted: "interrupted",
  error: "error",
  crashed: "error",
  max_iters: "max_iters",
};
