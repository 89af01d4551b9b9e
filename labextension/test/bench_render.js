// Time to render a saved run of N steps through the extension's renderer (linkedom DOM).
// Run: cd labextension && npm run build:lib && node test/bench_render.js [N ...]
import { installDom, fixture, manyStepRun } from "./dom.js";

const { document } = installDom();
const { default: extension } = await import("../lib/index.js");
const RUN = "application/vnd.ascope.run+json";
const events = fixture("run")[RUN].events;

for (const n of (process.argv.slice(2).length ? process.argv.slice(2) : ["1000"]).map(Number)) {
  const data = { [RUN]: { version: 1, events: manyStepRun(events, n) } };
  const times = [];
  for (let i = -1; i < 5; i++) { // i = -1: warm-up, not counted
    const r = extension.rendererFactory.createRenderer({ mimeType: RUN });
    document.body.append(r.node);
    const t0 = performance.now();
    await r.renderModel({ data, metadata: {}, trusted: false, setData() {} });
    if (i >= 0) times.push(performance.now() - t0);
    r.dispose();
    r.node.remove();
  }
  times.sort((a, b) => a - b);
  console.log(`${n} steps (${data[RUN].events.length} events): median ${times[2].toFixed(0)} ms, min ${times[0].toFixed(0)} ms`);
}
