import { spawn, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createApplication, type Application } from '../../src/composition/processes.js';
import { openStackEnvironment, testStack, type StackEnvironment } from '../support/app.js';
import { auditReadModels } from '../support/read-model-audit.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { PlainTextHasher } from '../support/use-cases.js';
import { until as waitUntil } from '../support/until.js';

/**
 * The projector as its own process (`src/worker.ts`), killed with SIGKILL in the middle of
 * a stream of concurrent writes, then restarted as two workers at once. Every committed
 * event must end up applied, and the read models must equal the write model row for row.
 * Needs PostgreSQL (separate processes share the outbox through it): runs when
 * TEST_DATABASE_URL is set, as in CI.
 */
describe.skipIf(!process.env.TEST_DATABASE_URL)('projector worker processes', () => {
  let db: TestSqlDatabase;
  let stack: StackEnvironment;
  let api: Application;
  const workers: ChildProcess[] = [];

  const env = () => ({
    ...process.env,
    ...stack.env,
    PROJECTOR: 'worker',
    LOG_LEVEL: 'error',
    PROJECTOR_LEASE_MS: '1500',
    PROJECTOR_BATCH_SIZE: '5',
  });
  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env: env(), stdio: ['ignore', 'ignore', 'inherit'] });
    workers.push(child);
    return child;
  };
  const count = async (sql: string): Promise<number> => {
    const [row] = await db.db.query<{ n: string }>(`select count(*)::text as n from ${sql}`);
    return Number(row?.n ?? 0);
  };
  /** Events the projector has acknowledged: committed ones no longer in its queue. */
  const applied = async () => (await count('outbox')) - (await count(`outbox_pending where subscriber = 'projector'`));
  const pending = () => count(`outbox_pending where subscriber = 'projector' and parked_at is null`);
  const parked = () => count(`outbox_pending where subscriber = 'projector' and parked_at is not null`);
  const until = (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => waitUntil(what, check, timeoutMs, 50);

  beforeAll(async () => {
    // The read store is SQL, or MongoDB when TEST_STACK=postgres+mongodb.
    stack = await openStackEnvironment(testStack() === 'postgres+mongodb' ? 'postgres+mongodb' : 'postgres');
    db = await openTestDatabase('postgres', stack.env.DATABASE_URL);
    const config = loadConfig({ ...env(), READ_YOUR_WRITES_TIMEOUT_MS: '0' } as NodeJS.ProcessEnv);
    api = await createApplication(config, { logger: pino({ level: 'silent' }), passwordHasher: new PlainTextHasher() });
  });
  afterAll(async () => {
    for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
    await api?.close();
    await db?.close();
    await stack?.close();
  });

  it('loses nothing when a worker is killed mid-stream; restarted workers apply every event exactly in effect', async () => {
    const commands = api.useCases;
    const users: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await commands.registerUser.execute({ username: `w${i}`, email: `w${i}@example.com`, password: 'password123' });
      users.push(r.unwrap().userId);
    }
    const first = startWorker();

    // A stream of concurrent writes of every kind, while the first worker is projecting.
    const slugs: string[] = [];
    const writeRounds = async (from: number, to: number) => {
      for (let round = from; round < to; round++) {
        await Promise.all(
          users.map(async (userId, i) => {
            const created = await commands.createArticle.execute({
              authorId: userId,
              title: `Round ${round} by ${i}`,
              description: 'd',
              body: 'b',
              tagList: [`t${round % 3}`, `u${i % 2}`],
            });
            const slug = created.unwrap().slug;
            slugs.push(slug);
            const target = slugs[(i * 7 + round) % slugs.length] as string;
            await commands.setFavorite.execute({ userId, slug: target, favorited: true });
            await commands.addComment.execute({ authorId: userId, slug: target, body: `c${round}` });
            await commands.setFollowing.execute({ followerId: userId, username: `w${(i + round + 1) % users.length}`, following: true });
            if (round % 2 === 1) await commands.setFavorite.execute({ userId, slug: target, favorited: false });
            if (round === 3) await commands.updateUser.execute({ userId, bio: `bio ${i}`, username: `w${i}_renamed` });
            if (round === 4 && i % 3 === 0) await commands.deleteArticle.execute({ actorId: userId, slug });
          }),
        );
      }
    };

    // Half the writes while the first worker projects; it is killed as soon as it has
    // applied some (mid-batch, holding leases); the other half while no worker runs.
    const firstHalf = writeRounds(0, 3);
    await until('the first worker to apply some events', async () => (await applied()) >= 15);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const appliedAtKill = await applied();
    await firstHalf;
    await writeRounds(3, 6);
    expect(await pending()).toBeGreaterThan(0);

    // Two workers at once take over, including the killed one's leased events.
    startWorker();
    startWorker();
    await until('every event to be projected', async () => (await pending()) === 0);
    expect(await parked()).toBe(0);
    expect(appliedAtKill).toBeLessThan(await count('outbox'));
    expect(await auditReadModels(db.db, api.composition.container)).toEqual([]);
  }, 240_000);
});
