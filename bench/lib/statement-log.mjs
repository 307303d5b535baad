// Statements and database time per request from PostgreSQL's own statement log.
//
// With `log_min_duration_statement = 0` set on the bench database only (ALTER DATABASE …
// SET, picked up by every new session of that database), the server writes one line per
// simple-protocol statement and one per parse, bind and execute step of the extended
// protocol, each with its duration. The benchmark notes the log file's size before and
// after a measured window and reads only the bytes in between, keeping the lines of its
// own database (the `%d` of log_line_prefix).
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Settings put on the bench database while statements are counted (and reset after). */
export const LOG_SETTINGS = {
  log_min_duration_statement: '0',
  // Bind parameters would repeat every article body in the log; the statement text suffices.
  log_parameter_max_length: '0',
  log_parameter_max_length_on_error: '0',
  // The parser reads the English message words ("LOG:", "duration:").
  lc_messages: 'C',
};

/** Kinds a statement is counted under; everything but `statement` is transaction control. */
export const KINDS = ['statement', 'begin', 'commit', 'rollback', 'savepoint'];

export function kindOf(sql) {
  const word = /^[\s(]*([a-z]+)(?:\s+([a-z]+))?/i.exec(sql);
  if (!word) return 'statement';
  const [first, second] = [word[1].toLowerCase(), (word[2] ?? '').toLowerCase()];
  if (first === 'begin' || (first === 'start' && second === 'transaction')) return 'begin';
  if (first === 'commit' || first === 'end') return 'commit';
  if (first === 'rollback' || first === 'abort') return second === 'to' ? 'savepoint' : 'rollback';
  if (first === 'savepoint' || first === 'release') return 'savepoint';
  return 'statement';
}

const LINE = /LOG:\s+duration: ([0-9.]+) ms\s+(statement|parse|bind|execute)(?:\s[^:]*)?:\s?(.*)$/;

/** An empty tally: counts and milliseconds per kind. */
export function emptyTally() {
  return {
    lines: 0,
    count: Object.fromEntries(KINDS.map((k) => [k, 0])),
    ms: Object.fromEntries(KINDS.map((k) => [k, 0])),
  };
}

/**
 * A line-by-line parser for one database's lines. A statement is a simple-protocol
 * `statement:` line or an extended-protocol `execute` line; its parse and bind steps add
 * to the time but not to the count. Continuation lines of multi-line statements and the
 * lines of other databases are skipped.
 */
export function createLogParser(dbName) {
  const own = new RegExp(`(^|[^A-Za-z0-9_$])${dbName.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_$]|$)`);
  const tally = emptyTally();
  let rest = '';
  const line = (text) => {
    const match = LINE.exec(text);
    if (!match || !own.test(text.slice(0, match.index))) return;
    const [, ms, step, sql] = match;
    const kind = kindOf(sql);
    tally.lines++;
    tally.ms[kind] += Number(ms);
    if (step === 'statement' || step === 'execute') tally.count[kind]++;
  };
  return {
    push(chunk) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const text of lines) line(text);
    },
    finish() {
      if (rest.length > 0) line(rest);
      rest = '';
      return tally;
    },
  };
}

/** Parses the bytes [from, to) of a log file in bounded chunks. */
export function tallyLogRange(path, from, to, dbName) {
  const parser = createLogParser(dbName);
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(8 * 1024 * 1024);
    let at = from;
    let carry = Buffer.alloc(0);
    while (at < to) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, to - at), at);
      if (read === 0) break;
      at += read;
      // Keep a split UTF-8 sequence whole: decode only up to the last newline.
      const chunk = Buffer.concat([carry, buffer.subarray(0, read)]);
      const cut = chunk.lastIndexOf(0x0a) + 1;
      parser.push(chunk.subarray(0, cut).toString('utf8'));
      carry = Buffer.from(chunk.subarray(cut));
    }
    parser.push(carry.toString('utf8'));
  } finally {
    closeSync(fd);
  }
  return parser.finish();
}

export const logSize = (path) => statSync(path).size;

/**
 * Where this server writes its stderr-format log, if the benchmark can read it: the
 * collector's current file (`pg_current_logfile`), else — collector off, as on Debian's
 * default cluster — the file the postmaster's stderr is redirected to, found through
 * `postmaster.pid` and /proc (a server on this machine only). `{ path }` or `{ reason }`.
 */
export async function locateServerLog(admin, override) {
  const setting = async (name) => (await admin.query(`select current_setting($1) as v`, [name])).rows[0].v;
  const prefix = await setting('log_line_prefix');
  if (!prefix.includes('%d')) return { reason: `log_line_prefix (${JSON.stringify(prefix)}) has no %d (database name)` };
  if (override) return readable(override);
  const destinations = (await setting('log_destination')).split(',').map((d) => d.trim());
  if (!destinations.includes('stderr')) return { reason: `log_destination is ${destinations.join(',')}, not stderr` };
  const dataDir = await setting('data_directory').catch(() => null);
  if ((await setting('logging_collector')) === 'on') {
    const current = (await admin.query(`select pg_current_logfile('stderr') as f`)).rows[0].f;
    if (!current) return { reason: 'the log collector has no current stderr file' };
    return readable(isAbsolute(current) || !dataDir ? current : join(dataDir, current));
  }
  if (!dataDir) return { reason: 'data_directory is not visible to this role' };
  try {
    const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0].trim();
    const target = readlinkSync(`/proc/${pid}/fd/2`);
    if (!target.startsWith('/') || !existsSync(target) || !statSync(target).isFile())
      return { reason: `the server's stderr goes to ${target}, not a file` };
    return readable(target);
  } catch (error) {
    return { reason: `the server's log file cannot be found from here (${error.code ?? error.message}); pass --pg-log FILE` };
  }
}

function readable(path) {
  try {
    closeSync(openSync(path, 'r'));
    return { path };
  } catch (error) {
    return { reason: `${path} is not readable (${error.code ?? error.message})` };
  }
}
