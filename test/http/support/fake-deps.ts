import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Ok } from 'ts-results-es';
import { vi, type Mock } from 'vitest';
import { buildHttpApp } from '../../../src/adapters/http/app.js';
import type { HttpDeps, HttpOptions, ReadinessCheck } from '../../../src/adapters/http/http-deps.js';
import { JwtTokenService } from '../../../src/adapters/security/jwt-token-service.js';
import type { ArticleView, CommentView, ProfileView, UserView } from '../../../src/application/shared/views.js';
import {
  useCases,
  type UseCaseInput,
  type UseCaseName,
  type UseCaseOutput,
  type UseCases,
} from '../../../src/application/use-cases.js';

export const FAKE_SECRET = 'fake-deps-secret-fake-deps-secret-0123456789';
/** The user the fake app's token is for. */
export const USER_ID = '00000000-0000-4000-8000-000000000001';

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
 * One canned answer per use case of the registry: the type makes a new use case without an
 * answer here a compile error, so the fakes always cover exactly the registry.
 */
const CANNED: { readonly [K in UseCaseName]: UseCaseOutput<K> } = {
  registerUser: Ok({ userId: USER_ID, user: userView }),
  loginUser: Ok({ userId: USER_ID, user: userView }),
  authenticate: Ok({ userId: USER_ID, role: 'user' }),
  updateUser: Ok(userView),
  setFollowing: Ok({ ...profileView, following: true }),
  createArticle: Ok(articleView),
  updateArticle: Ok(articleView),
  deleteArticle: Ok(undefined),
  setFavorite: Ok({ ...articleView, favorited: true, favoritesCount: 1 }),
  addComment: Ok(commentView),
  deleteComment: Ok(undefined),
  getCurrentUser: Ok(userView),
  getProfile: Ok(profileView),
  getArticle: Ok(articleView),
  listArticles: Ok({ articles: [articleView], articlesCount: 1 }),
  getFeed: Ok({ articles: [articleView], articlesCount: 1 }),
  listComments: Ok([commentView]),
  getTags: Ok(['dragons', 'training']),
  listNotifications: Ok({ notifications: [], notificationsCount: 0, unreadCount: 0 }),
  markNotificationsRead: Ok({ marked: 0 }),
  changeRole: Ok({ userId: USER_ID, username: 'jake', role: 'admin', changed: true }),
  revokeTokens: Ok(undefined),
  provisionExternalUser: Ok({ userId: USER_ID }),
};

/** A use case whose `execute` is a vi.fn: tests inspect what the route passed and replace the answer. */
type FakeUseCase<K extends UseCaseName> = {
  readonly execute: Mock<(input: UseCaseInput<K>) => Promise<UseCaseOutput<K>>>;
};
export type FakeUseCases = { readonly [K in UseCaseName]: FakeUseCase<K> };

/**
 * Every use case of the registry, answering its canned view. Tests of the HTTP edge itself
 * (framework errors, validation, auth, CORS, headers) need no application behind the routes.
 */
function fakeUseCases(): FakeUseCases {
  const fakes: Partial<Record<UseCaseName, unknown>> = {};
  for (const name of Object.keys(useCases) as UseCaseName[]) fakes[name] = { execute: vi.fn(async () => CANNED[name]) };
  return fakes as FakeUseCases;
}

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
  readonly useCases: FakeUseCases;
  readonly tokens: JwtTokenService;
  /** A valid token for USER_ID. */
  readonly token: string;
}

export async function startFakeApp(
  patch: {
    options?: Partial<HttpOptions>;
    readiness?: ReadinessCheck[];
    logger?: Logger;
    rateLimitStore?: HttpDeps['rateLimitStore'];
  } = {},
): Promise<FakeApp> {
  const fakes = fakeUseCases();
  const tokens = new JwtTokenService(FAKE_SECRET, 3600);
  const deps: HttpDeps = {
    useCases: fakes as unknown as UseCases,
    tokens,
    logger: patch.logger ?? pino({ level: 'silent' }),
    readiness: patch.readiness ?? [],
    rateLimitStore: patch.rateLimitStore,
    options: { bodyLimit: 16 * 1024, corsOrigins: ['*'], rateLimitPerMinute: 0, trustProxy: false, ...patch.options },
  };
  const app = buildHttpApp(deps);
  await app.ready();
  return { app, useCases: fakes, tokens, token: tokens.issue(USER_ID) };
}
