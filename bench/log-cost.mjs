// What request logging costs the cheapest endpoint, in server CPU time per request:
// `node bench/log-cost.mjs [--rounds N] [--requests N] [--path /api/tags] [--dist DIR]`
// (run `npm run build` first). Starts the built server (STORAGE=memory, its log to
// /dev/null) at LOG_LEVEL=info and at LOG_LEVEL=warn, alternately, sends the same number
// of requests to each over 20 connections, and reads the server's utime + stime from /proc
// around each batch. CPU time per request, unlike throughput, barely moves when other
// processes compete for the cores; alternating the two and taking medians evens out the
// drift. Prints the medians and their ratio (warn / info: the share of a request's CPU
// left when logging is off).
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { processCpuSeconds } from './lib/cpu.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    requests: { type: 'string', default: '20000' },
    path: { type: 'string', default: '/api/tags' },
    dist: { type: 'string', default: 'dist' },
    port: { type: 'string', default: '39411' },
  },
});
const rounds = Number(values.rounds);
const amount = Number(values.requests);
const main = resolve(values.dist, 'src', 'main.js');

async function start(level, port) {
  const devNull = openSync('/dev/null', 'w');
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, STORAGE: 'memory', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: level, LOG_FORMAT: 'json', DATA_DIR: join('/tmp', `log-cost-${process.pid}`) },
    stdio: ['ignore', devNull, 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server (LOG_LEVEL=${level}) did not start`);
}

const load = (port, n) => autocannon({ url: `http://127.0.0.1:${port}${values.path}`, connections: 20, amount: n });

async function measure(level) {
  const port = Number(values.port);
  const child = await start(level, port);
  try {
    await load(port, Math.floor(amount / 4)); // warm-up: JIT, caches
    const before = processCpuSeconds(child.pid);
    const result = await load(port, amount);
    const after = processCpuSeconds(child.pid);
    if (result.non2xx + result.errors > 0) throw new Error(`failed requests at LOG_LEVEL=${level}`);
    return ((after - before) / result.requests.total) * 1e6;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = { info: [], warn: [] };
for (let round = 0; round < rounds; round++) {
  for (const level of round % 2 === 0 ? ['info', 'warn'] : ['warn', 'info']) {
    const us = await measure(level);
    samples[level].push(us);
    process.stderr.write(`round ${round + 1}/${rounds} LOG_LEVEL=${level}: ${us.toFixed(1)} µs CPU per request\n`);
  }
}
const info = median(samples.info);
const warn = median(samples.warn);
console.log(JSON.stringify({ path: values.path, requests: amount, rounds, infoUsPerRequest: +info.toFixed(1), warnUsPerRequest: +warn.toFixed(1), loggingShareOfCpu: +(1 - warn / info).toFixed(3) }));
