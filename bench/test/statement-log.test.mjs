// The statement-log parser: which lines count, under which kind, for which database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogParser, kindOf, tallyLogRange } from '../lib/statement-log.mjs';

const DB = 'conduit_bench_ab12cd';
const line = (db, rest) => `2026-12-01 21:13:43.784 UTC [12534] postgres@${db} LOG:  ${rest}`;

const SAMPLE = [
  line(DB, 'duration: 0.016 ms  statement: begin'),
  line(DB, 'duration: 0.240 ms  parse <unnamed>: select pg_advisory_xact_lock($1::int, hashtext($2)) as locked'),
  line(DB, 'duration: 0.056 ms  bind <unnamed>: select pg_advisory_xact_lock($1::int, hashtext($2)) as locked'),
  line(DB, 'duration: 0.042 ms  execute <unnamed>: select pg_advisory_xact_lock($1::int, hashtext($2)) as locked'),
  line(DB, 'duration: 0.219 ms  execute <unnamed>: update outbox o'),
  '\t   set lease_owner = $1',
  line(DB, 'duration: 0.389 ms  statement: insert into "favorites" ("user_id") values (\'x\')'),
  line(DB, 'duration: 0.465 ms  statement: commit'),
  line(DB, 'duration: 0.100 ms  statement: ROLLBACK'),
  line(DB, 'duration: 0.010 ms  execute S_1: SAVEPOINT a'),
  // Another database whose name starts with ours, and one that is different altogether.
  line(`${DB}_other`, 'duration: 9.000 ms  statement: select 1'),
  line('conduit_dev_test', 'duration: 9.000 ms  statement: commit'),
  // Not a duration line.
  line(DB, 'checkpoint starting: time'),
].join('\n');

test('counts statements and transaction control of its own database only', () => {
  const parser = createLogParser(DB);
  parser.push(`${SAMPLE}\n`);
  const tally = parser.finish();
  assert.deepEqual(tally.count, { statement: 3, begin: 1, commit: 1, rollback: 1, savepoint: 1 });
  assert.equal(tally.lines, 9);
  assert.ok(Math.abs(tally.ms.statement - (0.24 + 0.056 + 0.042 + 0.219 + 0.389)) < 1e-9);
  assert.ok(Math.abs(tally.ms.commit - 0.465) < 1e-9);
});

test('a line split across chunks is read once, whole', () => {
  const parser = createLogParser(DB);
  const text = `${SAMPLE}\n`;
  for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
  assert.equal(parser.finish().count.statement, 3);
});

test('reads only the byte range it is given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
  try {
    const before = `${line(DB, 'duration: 1.000 ms  statement: select 1')}\n`;
    const file = join(dir, 'pg.log');
    writeFileSync(file, `${before}${SAMPLE}\n${before}`);
    const from = Buffer.byteLength(before);
    const tally = tallyLogRange(file, from, from + Buffer.byteLength(`${SAMPLE}\n`), DB);
    assert.equal(tally.count.statement, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kinds of statements', () => {
  assert.equal(kindOf('BEGIN'), 'begin');
  assert.equal(kindOf('start transaction isolation level serializable'), 'begin');
  assert.equal(kindOf('COMMIT'), 'commit');
  assert.equal(kindOf('end'), 'commit');
  assert.equal(kindOf('rollback'), 'rollback');
  assert.equal(kindOf('rollback to savepoint trx1'), 'savepoint');
  assert.equal(kindOf('release savepoint trx1'), 'savepoint');
  assert.equal(kindOf('select * from articles'), 'statement');
  assert.equal(kindOf('  (select 1)'), 'statement');
  assert.equal(kindOf('beginning'), 'statement');
});
