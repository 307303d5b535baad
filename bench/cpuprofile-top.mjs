#!/usr/bin/env node
// Top self-time frames of a V8 CPU profile (`node --cpu-prof` writes *.cpuprofile):
//
//   node bench/cpuprofile-top.mjs /tmp/prof/CPU.….cpuprofile [--top 25] [--from µs --to µs]
//
// --from/--to keep only the samples taken in that window of CLOCK_MONOTONIC microseconds
// (the profile's own clock): `npm run bench -- --json` gives each run's window as
// `monotonicWindowUs`, so a profile of the whole server process can be cut to one scenario.
// Self time is the time a function was on top of the stack (not counting its callees).
// Prints the top frames, then the same samples grouped by package (node_modules/<name>,
// node:internal, the project's own dist/, or V8's pseudo-frames such as (garbage collector)).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
  },
});
const top = Number(values.top);
if (positionals.length !== 1 || !Number.isInteger(top) || top < 1) {
  console.error('usage: node bench/cpuprofile-top.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}

const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

// timeDeltas[i] is the time before sample i; the time a sample stands for is the gap to the next one.
const from = Number(values.from);
const to = Number(values.to);
const selfUs = new Map();
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i];
  if (at < from || at > to) continue;
  const us = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + us);
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function packageOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node: (core)';
  if (url.includes('/dist/src/')) return `project: ${url.slice(url.indexOf('/dist/src/') + 1).split('/').slice(0, 4).join('/')}`;
  return url;
}

const byFrame = new Map();
const byPackage = new Map();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const name = functionName || '(anonymous)';
  const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}` : '';
  const key = `${name} ${where}`.trim();
  byFrame.set(key, (byFrame.get(key) ?? 0) + us);
  const pkg = packageOf(url, name);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const pct = (us) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(us)} ${ms(us)}  ${key}`);
};
if (totalUs === 0) {
  console.error('no samples in that window');
  process.exit(1);
}
console.log(`${positionals[0]}: ${(totalUs / 1e6).toFixed(1)} s of samples`);
print(`Top ${top} frames by self time`, byFrame, top);
print('Self time by package', byPackage, 20);
