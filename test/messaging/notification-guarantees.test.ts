import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTEGRATION_SOURCE, type IntegrationEvent } from '../../src/application/integration/integration-events.js';
import type { MessageBus } from '../../src/application/integration/message-bus.js';
import { openMessageBus } from '../../src/composition/message-bus.js';
import amqp from 'amqplib';
import { rabbitNames } from '../../src/adapters/rabbitmq/rabbitmq-topology.js';
import { natsServerBinary, rabbitmq } from '../contract/message-bus/brokers.js';
import { boundedWrites, Processes, SETUP_TIMEOUT_MS, until, type ApiProcess, type ConduitProcess } from '../faults/support/processes.js';
import { register, type User } from '../stack/support/api.js';
import { openTestDatabase, type TestSqlDatabase } from '../support/sql.js';
import { difference, expectedNotifications, storedNotifications } from './support/expected-notifications.js';
import { OwnNatsServer } from './support/nats-server.js';

const NATS_SERVER = natsServerBinary();
const RABBITMQ = await rabbitmq();
const run = promisify(execFile);

type BrokerKind = 'nats' | 'rabbitmq';

/**
 * The notifications' guarantees with real processes: one API, two relays and two
 * notifiers on PostgreSQL and a broker — a NATS server of the test's own, or the shared
 * RabbitMQ under names of the test's own (deleted afterwards).
 * 1. Relays and notifiers killed with SIGKILL at random moments while clients write, and
 *    started again: in the end every notification the write model calls for exists, once.
 * 2. The broker killed while clients write: every write answers as usual, the events wait
 *    in the outbox, and once the broker is back nothing is missing.
 * 3. A poison message is dead-lettered with its reason while the events after it are
 *    handled; `npm run dead-letters` lists it and replays it.
 */
const guarantees = (kind: BrokerKind) => () => {
  const processes = new Processes();
  let nats: OwnNatsServer | null = null;
  let brokerUrl: string;
  let db: TestSqlDatabase;
  let settings: Record<string, string>;
  let api: ApiProcess;
  const relays: ConduitProcess[] = [];
  const notifiers: ConduitProcess[] = [];
  let generation = 0;
  const authors: User[] = [];
  const readers: User[] = [];
  const slugs: string[] = [];

  const start = (service: 'relay' | 'notifier'): ConduitProcess => {
    generation += 1;
    return processes.startService(`${service}-${generation}`, service, settings);
  };
  const services = () => [...relays, ...notifiers];

  beforeAll(async () => {
    if (kind === 'nats') nats = await OwnNatsServer.start(NATS_SERVER as string);
    brokerUrl = nats?.url ?? RABBITMQ.url;
    db = await openTestDatabase('postgres');
    settings = {
      DATABASE_URL: db.url as string,
      [kind === 'nats' ? 'NATS_URL' : 'AMQP_URL']: brokerUrl,
      BUS_PREFIX: `t${randomBytes(4).toString('hex')}`,
      RELAY_LEASE_MS: '1500',
      RELAY_MAX_BACKOFF_MS: '500',
      NOTIFIER_ACK_TIMEOUT_MS: '3000',
      NOTIFIER_RETRY_DELAY_MS: '100',
      NOTIFIER_MAX_DELIVERIES: '5',
    };
    api = await processes.api('api', settings);
    relays.push(start('relay'), start('relay'));
    notifiers.push(start('notifier'), start('notifier'));
    // Both must be up before the first write: the relay's queue and the durable consumer start then.
    await Promise.all(services().map((service) => processes.ready(service)));
    for (let i = 0; i < 3; i++) authors.push(await register(api.api, `author${i}`));
    for (let i = 0; i < 8; i++) readers.push(await register(api.api, `reader${i}`));
    for (const reader of readers)
      for (const author of authors)
        expect((await api.api.request('POST', `/profiles/${author.username}/follow`, { token: reader.token })).status).toBe(200);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await processes.stopAll();
    await db?.close();
    await nats?.close();
    if (kind === 'rabbitmq' && settings !== undefined) {
      const names = rabbitNames(settings.BUS_PREFIX);
      const connection = await amqp.connect(RABBITMQ.url);
      const channel = await connection.createChannel();
      await channel.deleteQueue(names.queueOf('notifier'));
      await channel.deleteQueue(names.deadLetterQueueOf('notifier'));
      await channel.deleteExchange(names.exchange);
      await channel.deleteExchange(names.deadLetterExchange);
      await connection.close();
    }
  });

  const publish = async (author: User, status = 201) => {
    const answer = await api.api.request<{ article: { slug: string } }>('POST', '/articles', {
      token: author.token,
      body: { article: { title: `News ${randomBytes(3).toString('hex')}`, description: 'd', body: 'b' } },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    slugs.push(answer.body.article.slug);
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

  /** A reader's mixed writes: comments, favourites taken back or not, follows of other readers taken back or not. */
  const readerWrites = async (reader: User, rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      const slug = pick(slugs);
      const comment = await api.api.request('POST', `/articles/${slug}/comments`, { token: reader.token, body: { comment: { body: 'hi' } } });
      expect(comment.status).toBe(200);
      expect((await api.api.request('POST', `/articles/${slug}/favorite`, { token: reader.token })).status).toBe(200);
      if (Math.random() < 0.3) expect((await api.api.request('DELETE', `/articles/${slug}/favorite`, { token: reader.token })).status).toBe(200);
      const other = pick(readers.filter((r) => r !== reader));
      expect((await api.api.request('POST', `/profiles/${other.username}/follow`, { token: reader.token })).status).toBe(200);
      if (Math.random() < 0.2)
        expect((await api.api.request('DELETE', `/profiles/${other.username}/follow`, { token: reader.token })).status).toBe(200);
    }
  };

  /** Waits until the stored notifications are exactly those the write model calls for (no more, no fewer, none twice). */
  const converged = async (timeoutMs = 90_000) => {
    let last = '';
    await until(
      'the notifications to match the write model',
      async () => {
        const [expected, stored] = [await expectedNotifications(db.db), await storedNotifications(db.db)];
        last = difference(expected, stored);
        return expected.length > 0 && JSON.stringify(expected) === JSON.stringify(stored);
      },
      timeoutMs,
      () => last,
    );
  };

  it('loses and repeats nothing when relays and notifiers are killed at random moments under concurrent writes', async () => {
    for (const author of authors) await publish(author);
    let writing = true;
    const chaos = (async () => {
      let kills = 0;
      while (writing || kills < 4) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 900));
        const list = Math.random() < 0.5 ? relays : notifiers;
        const index = Math.floor(Math.random() * list.length);
        await list[index]?.kill('SIGKILL');
        list[index] = start(list === relays ? 'relay' : 'notifier');
        kills += 1;
      }
      return kills;
    })();
    await Promise.all([
      (async () => {
        for (let i = 0; i < 5; i++) for (const author of authors) await publish(author);
      })(),
      ...readers.map((reader) => readerWrites(reader, 4)),
    ]);
    writing = false;
    expect(await chaos).toBeGreaterThanOrEqual(4);
    await Promise.all(services().map((service) => processes.ready(service)));
    await converged();
  }, 240_000);

  // The shared RabbitMQ cannot be stopped by a test; the NATS server is the test's own.
  it.skipIf(kind !== 'nats')('keeps every write answering while the broker is down, and publishes what waited once it is back', async () => {
    if (nats === null) throw new Error('no NATS server of our own');
    await nats.kill();
    const write = boundedWrites(10_000);
    for (const author of authors) {
      const answer = await write(
        'publish while the broker is down',
        () => api.api.request('POST', '/articles', { token: author.token, body: { article: { title: 'Offline', description: 'd', body: 'b' } } }),
        201,
      );
      slugs.push((answer.body as { article: { slug: string } }).article.slug);
    }
    await readerWrites(pick(readers), 2);
    const [queued] = await db.db.query<{ n: number }>(`select count(*)::int as n from outbox_pending where subscriber = 'relay'`);
    expect(queued?.n ?? 0).toBeGreaterThan(0);
    await nats.start();
    await converged();
    expect(services().every((service) => service.running())).toBe(true);
  }, 180_000);

  it('dead-letters a poison message with its reason without holding up the rest; the command lists and replays it', async () => {
    const bus: MessageBus = await openMessageBus({ url: brokerUrl, prefix: settings.BUS_PREFIX, logger: pino({ level: 'silent' }) });
    const poisonId = `poison-${randomBytes(4).toString('hex')}`;
    try {
      const poison = {
        specversion: '1.0',
        id: poisonId,
        source: INTEGRATION_SOURCE,
        type: 'conduit.article.published.v1',
        subject: 'articles/not-an-id',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        aggregateversion: 1,
        data: { articleId: 'not-an-id', authorId: 'nobody' },
      } as unknown as IntegrationEvent;
      await bus.publisher.publish([poison]);
      // Written after the poison: notified all the same.
      await publish(pick(authors));
      await converged();
      await until('the poison message to be dead-lettered', async () =>
        (await bus.deadLetters.list('notifier', 100)).some((letter) => letter.event.id === poisonId),
      );
    } finally {
      await bus.close();
    }
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/dead-letters.ts', ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          [kind === 'nats' ? 'NATS_URL' : 'AMQP_URL']: brokerUrl,
          BUS_PREFIX: settings.BUS_PREFIX,
        },
      });
    const listed = await cli('list', 'notifier');
    expect(listed.stdout).toContain(poisonId);
    expect(listed.stdout).toContain('UnusableEvent');
    expect(listed.stdout).toContain('data.articleId is not an id');

    const lastFailures = () =>
      notifiers.reduce(
        (n, notifier) =>
          n + notifier.output().split('\n').filter((line) => line.includes(poisonId) && line.includes('failed for the last time')).length,
        0,
      );
    expect(lastFailures()).toBe(1);
    const replayed = await cli('replay', 'notifier', poisonId);
    expect(replayed.stdout).toContain('replayed 1 dead letter(s) to notifier');
    // Delivered again from attempt 1, it fails as before and is dead-lettered a second time.
    await until('the replayed poison to fail again', async () => lastFailures() === 2, 60_000);
    await until('the replayed poison to be a dead letter again', async () => (await cli('list', 'notifier')).stdout.includes(poisonId));
  }, 120_000);
};

const needsDatabase = !process.env.TEST_DATABASE_URL;
describe.skipIf(needsDatabase || NATS_SERVER === null)('messaging guarantees on NATS JetStream: relay, notifier, broker', guarantees('nats'));
describe.skipIf(needsDatabase || !RABBITMQ.available)('messaging guarantees on RabbitMQ: relay, notifier', guarantees('rabbitmq'));
