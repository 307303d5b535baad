import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMongoOutage } from '../../../src/adapters/mongodb/mongo-outage.js';
import { createMongoReadOrm, type MongoOrm } from '../../../src/adapters/mongodb/mongo-read-orm.js';
import { ensureActiveGeneration, readStoreHealth } from '../../../src/application/read-side/active-generation.js';
import { DependencyUnavailable } from '../../../src/application/shared/errors.js';
import { aUser, givenArticle, givenUsers } from '../../contract/read-store/read-store.fixtures.js';
import { mongoReadSide, startEmulator, type EmulatorProcess, type MongoReadSide } from '../../support/mongo.js';

const PAGE = { limit: 20, offset: 0 };

/** Short bounds, so the outage shows quickly; the defaults are 2 s / 2 s / 5 s. */
const TIMEOUTS = { serverSelectionMs: 1_000, connectMs: 1_000, socketMs: 2_000 };

/**
 * A MongoDB that goes away and comes back, on a server of this test's own (the emulator,
 * killed with SIGKILL and started again on the same port: it comes back empty, as a
 * MongoDB restarted without its data would). Runs on the emulator even when MONGO_URL is
 * set: nobody else's server is killed.
 */
describe('MongoDB outages: fail fast, then recover', () => {
  let server: EmulatorProcess;
  let orm: MongoOrm;
  let side: MongoReadSide;

  beforeAll(async () => {
    server = await startEmulator();
    const dbName = `conduit_test_outage_${randomBytes(4).toString('hex')}`;
    orm = await createMongoReadOrm(server.url, { dbName, timeouts: TIMEOUTS });
    side = mongoReadSide(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
    await server?.stop('SIGKILL');
  });

  it('answers DependencyUnavailable while down; once back, serves again and knows it lost its data', async () => {
    await ensureActiveGeneration(side.generations);
    const [author] = await givenUsers(side, 1);
    await givenArticle(side, author!);
    expect((await side.articles.list({}, PAGE)).total).toBe(1);

    await server.stop('SIGKILL');
    // A query with the generation cached, one that must read the pointer, the writer, the admin side.
    await expect(side.articles.list({}, PAGE)).rejects.toBeInstanceOf(DependencyUnavailable);
    side.active.forget();
    await expect(side.users.findById(author!.id)).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(side.writer.upsertUser(aUser())).rejects.toBeInstanceOf(DependencyUnavailable);
    await expect(side.generations.activeGeneration()).rejects.toBeInstanceOf(DependencyUnavailable);
    const failure = await side.articles.tags().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailable);
    expect((failure as DependencyUnavailable).dependency).toBe('read-store');
    expect(isMongoOutage((failure as Error).cause)).toBe(true);

    server = await startEmulator(server.port);
    // The driver finds the server again on its own; the first answers may still be refusals.
    const reachable = () =>
      side.generations.activeGeneration().then(
        () => 'up',
        () => 'down',
      );
    await expect.poll(reachable, { timeout: 20_000, interval: 100 }).toBe('up');
    // Restarted empty: the pointer is gone, the store reads as lost, and is set up again for a full replay.
    expect(await side.generations.activeGeneration()).toBeNull();
    expect(await side.generations.isIntact('g1')).toBe(false);
    expect(await readStoreHealth(side.generations, async () => 5)).toBe('lost');
    expect(await ensureActiveGeneration(side.generations)).toBe('g1');
    expect(await side.generations.replayFrom()).toBe(0);
    side.active.forget();
    const user = aUser();
    await side.writer.upsertUser(user);
    expect(await side.users.findById(user.id)).not.toBeNull();
  });

  it('fails to open, with DependencyUnavailable, when no server answers', async () => {
    const gone = await startEmulator();
    await gone.stop('SIGKILL');
    await expect(createMongoReadOrm(gone.url, { timeouts: TIMEOUTS })).rejects.toBeInstanceOf(DependencyUnavailable);
  });

  it('fails to open, with DependencyUnavailable, when the server accepts connections but never answers', async () => {
    const silent = createServer(() => {}); // accepts, reads nothing, answers nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(createMongoReadOrm(`mongodb://127.0.0.1:${port}/x`, { timeouts: TIMEOUTS })).rejects.toBeInstanceOf(
        DependencyUnavailable,
      );
    } finally {
      silent.close();
    }
  });

  it('tells outages from the errors of a healthy server', () => {
    const duplicate = new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
    const steppedDown = new MongoServerError({ message: 'not primary', code: 10107 });
    expect(isMongoOutage(duplicate)).toBe(false);
    expect(isMongoOutage(steppedDown)).toBe(true);
    expect(isMongoOutage(new Error('a bug'))).toBe(false);
    // What the driver lets through unwrapped when it writes on a socket the server closed.
    const writeAfterClose = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    expect(isMongoOutage(writeAfterClose)).toBe(true);
  });

  it('refuses timeouts that are not a positive whole number of milliseconds', async () => {
    await expect(createMongoReadOrm(server.url, { timeouts: { socketMs: 0 } })).rejects.toThrow(/socketMs/);
    await expect(createMongoReadOrm(server.url, { timeouts: { connectMs: 1.5 } })).rejects.toThrow(/connectMs/);
  });
});
