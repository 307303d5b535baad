// The order of one pass: each group of scenarios between two runs of its baseline (so
// that drift over the pass shows as a difference between the two), the cheap reads
// first, the writes (which add data) after them, login and registration last.
import { AUTH, READ, SCENARIOS, WRITE } from './scenarios.mjs';

const byName = (name) => SCENARIOS.find((s) => s.name === name);

export function buildPlan(selected, { postgres, skippedBaselines }) {
  const available = (name) => !skippedBaselines.has(name) && (postgres || !byName(name).postgresOnly);
  const plan = [];
  const measured = new Set();
  const baseline = (name, when) => {
    if (!available(name)) return;
    measured.add(name);
    plan.push({ scenario: byName(name), display: `${name} (${when})` });
  };
  for (const [group, name] of [[READ, 'bare'], [WRITE, 'baseline-write']]) {
    const members = selected.filter((s) => s.group === group);
    if (members.length === 0) continue;
    baseline(name, `before ${group}s`);
    for (const scenario of members) plan.push({ scenario, display: scenario.name });
    baseline(name, `after ${group}s`);
  }
  const auth = selected.filter((s) => s.group === AUTH);
  for (const name of new Set(auth.map((s) => s.baseline)))
    if (!measured.has(name)) baseline(name, 'before auth');
  for (const scenario of auth) plan.push({ scenario, display: scenario.name });
  return plan;
}
