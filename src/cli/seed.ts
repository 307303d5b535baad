import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { pino } from 'pino';
import { DatabaseInUseError } from '../adapters/sql/pglite-lock.js';
import { createApplication } from '../composition/processes.js';
import { ConfigError, loadConfig } from '../config/config.js';

/**
 * Loads demo data through the application layer (the same command handlers the API
 * calls), so every rule, event and projection runs as in production:
 *   npm run seed -- --users 50 --articles 400 --comments 800 --follows 10 --favorites 8
 * The same --prefix twice reuses its users and adds more articles. `--concurrency` use
 * cases run at once (default 8; 1 keeps the order of a deterministic run).
 */
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50' },
    articles: { type: 'string', default: '400' },
    comments: { type: 'string', default: '800' },
    follows: { type: 'string', default: '10', short: 'f' },
    favorites: { type: 'string', default: '8' },
    prefix: { type: 'string', default: 'seed' },
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '8' },
  },
});

const count = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${name} must be a whole number ≥ 0`);
  return n;
};

/** A small deterministic PRNG (mulberry32) so the same seed gives the same data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'dragon training garden river mountain coffee journey rust typescript postgres cache ' +
  'query event stream domain aggregate kernel design pattern layer port adapter cloud ' +
  'winter summer music ocean forest city bridge engine signal theory practice craft'
).split(' ');
const TAGS = (
  'dragons training programming typescript node postgres mongodb redis architecture cqrs ' +
  'ddd testing performance security devops cooking travel music books science'
).split(' ');

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const app = await createApplication(config, { logger });
  const random = prng(Number(values.seed));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const { useCases } = app;
  const prefix = values.prefix;
  const totals = {
    users: count('users'),
    articles: count('articles'),
    comments: count('comments'),
    follows: count('follows'),
    favorites: count('favorites'),
  };
  const bar = new SingleBar(
    { format: '{task} [{bar}] {value}/{total} | {eta_formatted} left', hideCursor: true },
    Presets.shades_classic,
  );
  const concurrency = Math.max(1, count('concurrency'));
  const step = async (task: string, total: number, run: (i: number) => Promise<void>) => {
    bar.start(total, 0, { task: task.padEnd(10) });
    let next = 0;
    const worker = async () => {
      while (next < total) {
        await run(next++);
        bar.increment();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    bar.stop();
  };

  try {
    const userIds: string[] = [];
    const usernames: string[] = [];
    await step('users', totals.users, async (i) => {
      const username = `${prefix}_user_${i}`;
      const email = `${username}@example.test`;
      const registered = await useCases.registerUser.execute({ username, email, password: 'password123' });
      const id = registered.isOk()
        ? registered.value.userId
        : (await useCases.loginUser.execute({ email, password: 'password123' })).unwrap().userId;
      userIds.push(id);
      usernames.push(username);
    });
    if (userIds.length === 0) return;

    await step('follows', userIds.length * Math.min(totals.follows, userIds.length - 1), async (i) => {
      const follower = userIds[Math.floor(i / Math.max(1, Math.min(totals.follows, userIds.length - 1)))] as string;
      const target = pick(usernames);
      await useCases.setFollowing.execute({ followerId: follower, username: target, following: true });
    });

    const slugs: string[] = [];
    await step('articles', totals.articles, async () => {
      const title = words(3 + Math.floor(random() * 5));
      const created = await useCases.createArticle.execute({
        authorId: pick(userIds),
        title: title[0]?.toUpperCase() + title.slice(1),
        description: words(8),
        body: Array.from({ length: 3 + Math.floor(random() * 6) }, () => `${words(25)}.`).join('\n\n'),
        tagList: Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS)),
      });
      slugs.push(created.unwrap().slug);
    });
    if (slugs.length === 0) return;

    await step('favorites', userIds.length * totals.favorites, async (i) => {
      await useCases.setFavorite.execute({ userId: userIds[i % userIds.length] as string, slug: pick(slugs), favorited: true });
    });

    await step('comments', totals.comments, async () => {
      await useCases.addComment.execute({ authorId: pick(userIds), slug: pick(slugs), body: words(12) });
    });
    console.log(
      `Seeded ${userIds.length} users (password "password123"), ${slugs.length} articles and ${totals.comments} comments.`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof DatabaseInUseError ? error.message : error);
  process.exit(1);
});
