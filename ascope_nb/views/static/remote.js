// The "remote" badge of a reply that came from a remote A2A agent (fold items carry
// `remote`: the host[:port] it runs on, never credentials). Null for a local agent.

import { h } from "./dom.js";

export function remoteBadge(doc, remote) {
  if (!remote) return null;
  return h(doc, "span.ascope-remote.ascope-chip",
    { "data-testid": "ascope-remote", "data-remote": remote, title: `a remote agent (A2A) at ${remote}` },
    `remote · ${remote}`);
}
