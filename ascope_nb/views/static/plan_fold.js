// The plan part of the run fold (browser twin of ascope_nb/fold/_plan.py): the plan after
// each plan_changed event, and the view dict both sides give (tests/fixtures/plan/).
//
//   const f = createPlanFold(); for (const ev of events) f.add(ev); f.view().subtasks

export function createPlanFold() {
  const byAgent = new Map(); // agent -> {plan, history, approved, changes}
  let lastAgent = null;

  function stateOf(agent) {
    let s = byAgent.get(agent);
    if (!s) byAgent.set(agent, (s = { plan: null, history: [], approved: false, changes: 0 }));
    return s;
  }

  function add(ev) {
    if (!ev || ev.kind !== "plan_changed") return false;
    const agent = String(ev.agent || "");
    const s = stateOf(agent);
    const plan = ev.plan ?? null;
    if (ev.finished) s.history.push(ev.finished);
    const oldId = s.plan ? s.plan.id : undefined;
    if (ev.op === "approve") s.approved = true;
    else if (plan === null || plan.id !== oldId) s.approved = false;
    s.plan = plan;
    s.changes += 1;
    lastAgent = agent;
    return true;
  }

  // What the plan view shows, for `agent` (default: the last agent that changed a plan):
  // the open plan, or else the plan that finished last (`open` says which).
  function view(agent) {
    const s = byAgent.get(agent ?? lastAgent) || { plan: null, history: [], approved: false, changes: 0 };
    const plan = s.plan || s.history[s.history.length - 1] || {};
    return {
      name: plan.name ?? null,
      state: plan.state ?? null,
      outcome: plan.outcome ?? null,
      open: s.plan !== null,
      subtasks: (plan.subtasks || []).map((t, i) => ({
        index: i,
        name: String(t.name ?? ""),
        state: String(t.state ?? "todo"),
        outcome: t.outcome ?? null,
        expected_outcome: String(t.expected_outcome ?? ""),
      })),
      approved: s.approved,
      finished: s.history.map((p) => ({ name: p.name ?? null, state: p.state ?? null, outcome: p.outcome ?? null })),
      changes: s.changes,
    };
  }

  return { add, view, agents: () => [...byAgent.keys()], has: () => byAgent.size > 0 };
}
