// Seeding through the application layer: the seed CLI (`node dist/src/cli/seed.js`, the
// same code as `npm run seed`), so every article goes through its command handler,
// events and projection. Growth adds articles only, in bounded chunks, with up to
// `seeders` CLI processes at a time on PostgreSQL (one on PGlite, which is single-process),
// and stops starting chunks once its time box is spent: the phase then measures at the
// count it reached, which the report states.
import { join } from 'node:path';
import { startNode, tail, waitForExit } from './processes.mjs';

const CHUNK = 4_000;

function seedArgs({ users, articles, comments, follows, favorites, prefix, seed }) {
  const args = ['--users', users, '--articles', articles, '--comments', comments, '--follows', follows, '--favorites', favorites];
  return [...args, '--prefix', prefix, '--seed', seed].map(String);
}

async function runSeeder({ seedScript, env, cwd, logFile, name, args, timeoutMs }) {
  const seeder = startNode({ name, args: [seedScript, ...args], env, cwd, logFile });
  const { code } = await waitForExit(seeder, timeoutMs);
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${tail(seeder.logFile)}`);
}

/** The initial data set; resolves with the seconds it took. */
export async function seedInitial({ seedScript, env, cwd, workDir, sizes, prefix, timeoutS }) {
  const started = performance.now();
  await runSeeder({
    seedScript,
    env,
    cwd,
    logFile: join(workDir, 'seed.log'),
    name: 'seed',
    args: seedArgs({ ...sizes, prefix, seed: 42 }),
    timeoutMs: timeoutS * 1000,
  });
  return Math.round(performance.now() - started) / 1000;
}

/**
 * Adds `missing` articles by the seeded users (`users` of them log in again in each
 * chunk). Resolves with { added, seconds, timedOut, chunks }.
 */
export async function seedGrowth({ seedScript, env, cwd, workDir, users, prefix, missing, seeders, timeBoxS, say }) {
  const started = performance.now();
  const deadline = Date.now() + timeBoxS * 1000;
  let planned = 0;
  let added = 0;
  let chunks = 0;
  let timedOut = false;
  const worker = async (lane) => {
    while (planned < missing) {
      if (Date.now() >= deadline) {
        timedOut = true;
        return;
      }
      const articles = Math.min(CHUNK, missing - planned);
      planned += articles;
      const chunk = ++chunks;
      await runSeeder({
        seedScript,
        env,
        cwd,
        logFile: join(workDir, `seed-growth-${lane}.log`),
        name: `growth seeder ${lane} (chunk ${chunk})`,
        // A seed per chunk: the CLI's generator is deterministic, and equal seeds would repeat titles.
        args: seedArgs({ users, articles, comments: 0, follows: 0, favorites: 0, prefix, seed: 1_000 + chunk }),
        // A chunk started inside the time box may finish after it, but never runs unbounded.
        timeoutMs: Math.max(600, timeBoxS) * 1000,
      });
      added += articles;
      const rate = added / ((performance.now() - started) / 1000);
      say(`bench: growth: ${added}/${missing} articles added (${rate.toFixed(0)}/s)`);
    }
  };
  await Promise.all(Array.from({ length: seeders }, (_, i) => worker(i + 1)));
  return { added, seconds: Math.round(performance.now() - started) / 1000, timedOut, chunks };
}

/** VACUUM (ANALYZE) of the embedded database folder, opened here while no server holds it. */
export async function vacuumPglite(dataDir) {
  const started = performance.now();
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(dataDir);
  try {
    await db.exec('vacuum (analyze)');
  } finally {
    await db.close();
  }
  return Math.round(performance.now() - started) / 1000;
}
