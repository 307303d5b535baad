import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Ok } from 'ts-results-es';
import { vi } from 'vitest';
import { buildHttpApp } from '../../../src/adapters/http/app.js';
import type { Commands, HttpDeps, HttpOptions, Queries, ReadinessCheck } from '../../../src/adapters/http/http-deps.js';
import { JwtTokenService } from '../../../src/adapters/security/jwt-token-service.js';
import type { ArticleView, CommentView, ProfileView, UserView } from '../../../src/application/read-model/views.js';

export const FAKE_SECRET = 'fake-deps-secret-fake-deps-secret-0123456789';

export const profileView: ProfileView = { username: 'jake', bio: null, image: null, following: false };
export const userView: UserView = { email: 'jake@jake.jake', username: 'jake', bio: 'I work at statefarm', image: null };
export const articleView: ArticleView = {
  slug: 'how-to-train-your-dragon',
  title: 'How to train your dragon',
  description: 'Ever wonder how?',
  body: 'It takes a Jacobian',
  tagList: ['dragons', 'training'],
  createdAt: '2016-02-18T03:22:56.637Z',
  updatedAt: '2016-02-18T03:48:35.824Z',
  favorited: false,
  favoritesCount: 0,
  author: profileView,
};
export const commentView: CommentView = {
  id: 1,
  createdAt: '2016-02-18T03:22:56.637Z',
  updatedAt: '2016-02-18T03:22:56.637Z',
  body: 'It takes a Jacobian',
  author: profileView,
};

/**
 * Handlers that answer with canned views, each a vi.fn so tests can inspect what the
 * route passed (and replace the answer). Tests of the HTTP edge itself (framework errors,
 * validation, auth, CORS, headers) need no application behind the routes.
 */
function fakeCommands() {
  return {
    registerUser: { execute: vi.fn(async () => Ok({ userId: 'user-1' })) },
    loginUser: { execute: vi.fn(async () => Ok({ userId: 'user-1' })) },
    updateUser: { execute: vi.fn(async () => Ok(undefined)) },
    followUser: { execute: vi.fn(async () => Ok({ followeeId: 'user-2' })) },
    unfollowUser: { execute: vi.fn(async () => Ok({ followeeId: 'user-2' })) },
    createArticle: { execute: vi.fn(async () => Ok({ slug: articleView.slug })) },
    updateArticle: { execute: vi.fn(async () => Ok({ slug: articleView.slug })) },
    deleteArticle: { execute: vi.fn(async () => Ok(undefined)) },
    favoriteArticle: { execute: vi.fn(async () => Ok({ slug: articleView.slug })) },
    unfavoriteArticle: { execute: vi.fn(async () => Ok({ slug: articleView.slug })) },
    addComment: { execute: vi.fn(async () => Ok({ commentId: 1 })) },
    deleteComment: { execute: vi.fn(async () => Ok(undefined)) },
  } satisfies Commands;
}

function fakeQueries() {
  return {
    getCurrentUser: { execute: vi.fn(async () => Ok(userView)) },
    getProfile: { execute: vi.fn(async () => Ok(profileView)) },
    getArticle: { execute: vi.fn(async () => Ok(articleView)) },
    listArticles: { execute: vi.fn(async () => Ok({ articles: [articleView], articlesCount: 1 })) },
    getFeed: { execute: vi.fn(async () => Ok({ articles: [articleView], articlesCount: 1 })) },
    listComments: { execute: vi.fn(async () => Ok([commentView])) },
    getComment: { execute: vi.fn(async () => Ok(commentView)) },
    getTags: { execute: vi.fn(async () => Ok(['dragons', 'training'])) },
  } satisfies Queries;
}

export type FakeCommands = ReturnType<typeof fakeCommands>;
export type FakeQueries = ReturnType<typeof fakeQueries>;

/** Everything the logger wrote, one parsed JSON object per line. */
export interface LogCapture {
  readonly logger: Logger;
  readonly lines: () => Record<string, unknown>[];
  readonly raw: () => string;
}

export function captureLogs(level: pino.Level = 'trace'): LogCapture {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    logger: pino({ level }, sink),
    raw: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface FakeApp {
  readonly app: ReturnType<typeof buildHttpApp>;
  readonly commands: FakeCommands;
  readonly queries: FakeQueries;
  readonly tokens: JwtTokenService;
  /** A valid token for `user-1`. */
  readonly token: string;
}

export async function startFakeApp(
  patch: { options?: Partial<HttpOptions>; readiness?: ReadinessCheck[]; logger?: Logger } = {},
): Promise<FakeApp> {
  const commands = fakeCommands();
  const queries = fakeQueries();
  const tokens = new JwtTokenService(FAKE_SECRET, 3600);
  const deps: HttpDeps = {
    commands,
    queries,
    tokens,
    logger: patch.logger ?? pino({ level: 'silent' }),
    readiness: patch.readiness ?? [],
    options: { bodyLimit: 16 * 1024, corsOrigins: ['*'], rateLimitPerMinute: 0, trustProxy: false, ...patch.options },
  };
  const app = buildHttpApp(deps);
  await app.ready();
  return { app, commands, queries, tokens, token: tokens.issue('user-1') };
}
