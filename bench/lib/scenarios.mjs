// Every scenario, in the order they run, with its group and the baseline it is compared
// with: the bare route (reads, login) or the hand-written insert transaction (writes,
// registration). Baselines run first and again after their group, in the same run.
import { json, newArticle, sequence } from './scenario-helpers.mjs';
import { READS } from './scenarios-read.mjs';
import { AUTHS, WRITES } from './scenarios-write.mjs';

export const BASELINE = 'baseline';
/** Read scenarios, the main table. Login and registration are not here: see `auth`. */
export const READ = 'read';
/** Write scenarios: each request commits and waits for its projection (read-your-writes). */
export const WRITE = 'write';
/** Deliberately expensive (argon2id): measured separately with fewer connections. */
export const AUTH = 'auth';
/** Selector for the reads a response cache is meant to serve (anonymous and personalised). */
export const CACHE = 'cache';
/** Selector for the scenarios the growth mode measures by default. */
export const GROWTH = 'growth';

/** The read baseline (`bare-server.mjs`) and the write baseline (`write-server.mjs`, PostgreSQL only). */
export const BASELINES = [
  {
    name: 'bare',
    title: 'GET /bare: Fastify + the server logger, fixed JSON, no database',
    target: 'bare',
    requests: () => [{ method: 'GET', path: '/bare' }],
  },
  {
    name: 'baseline-write',
    title: 'POST /baseline/articles: BEGIN; INSERT article; INSERT outbox; COMMIT (node-postgres)',
    target: 'write-baseline',
    postgresOnly: true,
    requests: (f) => {
      const seq = sequence();
      return [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            path: '/baseline/articles',
            headers: { ...request.headers, ...json },
            body: JSON.stringify({ article: newArticle(f, seq.next()) }),
          }),
        },
      ];
    },
  },
];

const tagged = (list, group, baseline) =>
  list.map((s) => ({ target: 'app', growth: group === WRITE, ...s, group, baseline: s.baseline ?? baseline }));

export const SCENARIOS = [
  ...tagged(BASELINES, BASELINE, null),
  ...tagged(READS, READ, 'bare'),
  ...tagged(WRITES, WRITE, 'baseline-write'),
  ...tagged(AUTHS, AUTH, 'baseline-write'),
];

/** Does the scenario answer to a selector (its name, its group, `cache` or `growth`)? */
export function matches(scenario, names) {
  return (
    names.includes(scenario.name) ||
    names.includes(scenario.group) ||
    (names.includes(CACHE) && scenario.cache !== undefined) ||
    (names.includes(GROWTH) && scenario.growth === true)
  );
}

export const SELECTORS = [BASELINE, READ, WRITE, AUTH, CACHE, GROWTH];
