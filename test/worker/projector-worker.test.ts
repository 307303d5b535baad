import { spawn, type ChildProcess } from 'node:child_process';
import type { AbstractSqlConnection } from '@mikro-orm/sql';
import { CompiledQuery } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/application/projections/event-outbox.js';
import { loadConfig } from '../../src/config/config.js';
import { createApplication, type Application } from '../../src/container.js';
import { openStackEnvironment, testStack, type StackEnvironment } from '../support/app.js';
import { auditReadModels } from '../support/read-model-audit.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { PlainTextHasher } from '../support/use-cases.js';

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
  const count = async (where: string): Promise<number> => {
    const connection = db.orm.em.getConnection() as AbstractSqlConnection;
    const result = await connection.getClient().executeQuery<{ n: string }>(CompiledQuery.raw(`select count(*)::text as n from outbox where ${where}`, []));
    return Number(result.rows[0]?.n ?? 0);
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

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
    const { commands } = api;
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
            await commands.favoriteArticle.execute({ userId, slug: target });
            await commands.addComment.execute({ authorId: userId, slug: target, body: `c${round}` });
            await commands.followUser.execute({ followerId: userId, username: `w${(i + round + 1) % users.length}` });
            if (round % 2 === 1) await commands.unfavoriteArticle.execute({ userId, slug: target });
            if (round === 3) await commands.updateUser.execute({ userId, bio: `bio ${i}`, username: `w${i}_renamed` });
            if (round === 4 && i % 3 === 0) await commands.deleteArticle.execute({ actorId: userId, slug });
          }),
        );
      }
    };

    // Half the writes while the first worker projects; it is killed as soon as it has
    // applied some (mid-batch, holding leases); the other half while no worker runs.
    const firstHalf = writeRounds(0, 3);
    await until('the first worker to apply some events', async () => (await count('applied_at is not null')) >= 15);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const appliedAtKill = await count('applied_at is not null');
    await firstHalf;
    await writeRounds(3, 6);
    expect(await count('applied_at is null')).toBeGreaterThan(0);

    // Two workers at once take over, including the killed one's leased events.
    startWorker();
    startWorker();
    const outbox = api.container.get<EventOutbox>(EventOutbox);
    const last = await outbox.lastPosition();
    await until('every event to be projected', () => outbox.projectedThrough(last));
    expect(await count('parked_at is not null')).toBe(0);
    expect(await count('applied_at is null')).toBe(0);
    expect(appliedAtKill).toBeLessThan(last);
    expect(await auditReadModels(db.orm, api.container)).toEqual([]);
  }, 240_000);
});
