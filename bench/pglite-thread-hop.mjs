#!/usr/bin/env node
// What a statement costs on the embedded database with PGlite in the server's thread
// (`main`) and in a thread of its own (`worker`, ADR 021), without HTTP (docs/performance.md):
//
//   npm run build && node bench/pglite-thread-hop.mjs [ROUNDS]
//
// Each round opens a throw-away in-memory database in each mode, in turn, and times, per
// statement: `select $1::int` one after another (each waits for the previous answer),
// the same 5,000 at once, and transactions of an insert and a select, one after another.
// The rows are the microseconds per statement (per transaction for the last), a median of
// the rounds. The difference between the modes is the hand-off between the threads.
import { openSqlDatabase } from '../dist/src/adapters/sql/open-sql-database.js';

const rounds = Number(process.argv[2] ?? 3);
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  console.error('usage: node bench/pglite-thread-hop.mjs [ROUNDS]');
  process.exit(2);
}
const WARM = 2_000;
const SINGLE = 5_000;
const TRANSACTIONS = 500;

const perItemUs = async (count, work) => {
  const started = performance.now();
  await work();
  return ((performance.now() - started) * 1000) / count;
};

async function measure(embeddedThread) {
  const db = await openSqlDatabase({ dataDir: 'memory://', embeddedThread });
  try {
    await db.query('create table hop_probe (id int primary key, v text)');
    for (let i = 0; i < WARM; i++) await db.query('select $1::int as n', [i]);
    const sequential = await perItemUs(SINGLE, async () => {
      for (let i = 0; i < SINGLE; i++) await db.query('select $1::int as n', [i]);
    });
    const atOnce = await perItemUs(SINGLE, () => Promise.all(Array.from({ length: SINGLE }, (_, i) => db.query('select $1::int as n', [i]))));
    const transaction = await perItemUs(TRANSACTIONS, async () => {
      for (let i = 0; i < TRANSACTIONS; i++)
        await db.transaction(async (tx) => {
          await tx.query('insert into hop_probe values ($1, $2)', [i, 'x']);
          await tx.query('select v from hop_probe where id = $1', [i]);
        });
    });
    return { sequential, atOnce, transaction };
  } finally {
    await db.close();
  }
}

const results = { main: [], worker: [] };
for (let round = 0; round < rounds; round++)
  for (const mode of ['main', 'worker']) results[mode].push(await measure(mode));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (label, key) =>
  `| ${label} | ${median(results.main.map((r) => r[key])).toFixed(0)} | ${median(results.worker.map((r) => r[key])).toFixed(0)} |`;
console.log(`median of ${rounds} rounds, µs per statement (per transaction in the last row)\n`);
console.log('| | main | worker |\n| --- | ---: | ---: |');
console.log(row('one after another', 'sequential'));
console.log(row(`${SINGLE} at once`, 'atOnce'));
console.log(row('transaction of an insert and a select, one after another', 'transaction'));
