import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Result } from 'ts-results-es';
import type { ArticleRepository } from '../../../src/application/articles/article.repository.js';
import type { CommentRepository } from '../../../src/application/comments/comment.repository.js';
import type { FavoriteRepository } from '../../../src/application/favorites/favorite.repository.js';
import type { FollowRepository } from '../../../src/application/profiles/follow.repository.js';
import type { ProfileLookup } from '../../../src/application/profiles/profile-lookup.js';
import type { EventOutbox, OutboxEntry } from '../../../src/application/read-side/event-outbox.js';
import type { WriteModelSnapshot } from '../../../src/application/read-side/write-model-snapshot.js';
import type { CommitScope } from '../../../src/application/shared/commit-scope.js';
import type { SaveConflict } from '../../../src/application/shared/persistence.js';
import type { UserRepository } from '../../../src/application/users/user.repository.js';
import {
  Article,
  ArticleDraft,
  Comment,
  Email,
  Favorite,
  Follow,
  User,
  Username,
  type ConduitEvent,
} from '../../../src/domain/index.js';

/**
 * The write side as the contract suites see it: every repository port and the outbox,
 * over one database. `OpenWriteSide` gives an empty database on every call (each test
 * starts from nothing).
 */
export interface WriteSide {
  readonly users: UserRepository;
  readonly follows: FollowRepository;
  readonly articles: ArticleRepository;
  readonly favorites: FavoriteRepository;
  readonly comments: CommentRepository;
  readonly profiles: ProfileLookup;
  readonly outbox: EventOutbox;
  readonly snapshot: WriteModelSnapshot;
  /** Collects what the repositories report committing. */
  readonly commits: CommitScope;
}
export type OpenWriteSide = () => Promise<WriteSide>;

/** Whole milliseconds: the precision both a JS Date and timestamptz keep exactly. */
export const T0 = new Date('2024-03-01T10:00:00.123Z');
export const minutesAfterT0 = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

export function must<T, E>(result: Result<T, E>): T {
  if (result.isErr()) throw new Error(`expected Ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export async function saved(result: Promise<Result<unknown, SaveConflict>>): Promise<void> {
  must(await result);
}

/** The code of the SaveConflict a save answered with (fails the test on Ok). */
export async function conflictOf(result: Promise<Result<unknown, SaveConflict>>): Promise<SaveConflict['code']> {
  const settled = await result;
  if (settled.isOk()) throw new Error('expected a SaveConflict, the save succeeded');
  return settled.error.code;
}

let sequence = 0;
const unique = (): number => ++sequence;

export function newUser(input: { username?: string; email?: string; now?: Date } = {}): User {
  const n = unique();
  return must(
    User.register({
      id: randomUUID(),
      username: must(Username.create(input.username ?? `writer${n}`)),
      email: must(Email.create(input.email ?? `writer${n}@example.com`)),
      passwordHash: `$argon2id$hash-${n}`,
      now: input.now ?? T0,
      availability: { usernameTaken: false, emailTaken: false },
    }),
  );
}

export function newArticle(
  authorId: string,
  input: { title?: string; tagList?: readonly string[]; now?: Date } = {},
): Article {
  const n = unique();
  return Article.publish({
    id: randomUUID(),
    authorId,
    draft: must(
      ArticleDraft.parse({
        title: input.title ?? `How to train your dragon ${n}`,
        description: 'Ever wonder how?',
        body: 'You have to believe.',
        tagList: input.tagList ?? ['dragons', 'training'],
      }),
    ),
    slug: { baseTaken: false, uniqueSuffix: `s${n}` },
    now: input.now ?? T0,
  });
}

export function newComment(
  id: number,
  articleId: string,
  authorId: string,
  input: { body?: string; now?: Date } = {},
): Comment {
  return Comment.add({ id, articleId, authorId, body: input.body ?? 'Thank you so much!', now: input.now ?? T0 });
}

export function newFollow(followerId: string, followeeId: string, now: Date = T0): Follow {
  const follow = must(Follow.between(followerId, followeeId, now));
  follow.switchTo(true, now);
  return follow;
}

export function newFavorite(userId: string, articleId: string, now: Date = T0): Favorite {
  const favorite = Favorite.between(userId, articleId, now);
  favorite.switchTo(true, now);
  return favorite;
}

/** Saves and returns a registered user. */
export async function storedUser(w: WriteSide, input: Parameters<typeof newUser>[0] = {}): Promise<User> {
  const user = newUser(input);
  await saved(w.users.save(user));
  return user;
}

/** Saves and returns a published article by `authorId`. */
export async function storedArticle(
  w: WriteSide,
  authorId: string,
  input: Parameters<typeof newArticle>[1] = {},
): Promise<Article> {
  const article = newArticle(authorId, input);
  await saved(w.articles.save(article));
  return article;
}

/** How far each write side's outbox was drained by `drainOutbox`. */
const drainedThrough = new WeakMap<WriteSide, number>();

/** Every event appended since the last `drainOutbox`, in outbox order. */
export const pendingEvents = async (w: WriteSide): Promise<OutboxEntry[]> =>
  w.outbox.readAfter(drainedThrough.get(w) ?? 0, 10_000);

/** Marks everything so far as done for the projector, so a test sees only the events it causes next. */
export async function drainOutbox(w: WriteSide): Promise<void> {
  const last = await w.outbox.lastPosition();
  await w.outbox.acknowledge('projector', (await pendingEvents(w)).map((entry) => entry.position));
  drainedThrough.set(w, last);
}

/** The pending events reduced to what identifies them: type, aggregate and version. */
export async function pendingSummary(w: WriteSide): Promise<string[]> {
  return (await pendingEvents(w)).map(({ event }) => `${event.type} ${event.aggregateId} v${event.version}`);
}

/** Compares an event read back from the outbox with the one the aggregate recorded. */
export function expectSameEvent(actual: ConduitEvent, expected: ConduitEvent): void {
  expect(actual.occurredAt).toBeInstanceOf(Date);
  expect(actual).toEqual(expected);
}
