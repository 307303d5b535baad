/**
 * The rules every read-model writer follows, written once: what a change does to the
 * counts, when embedded author copies go stale, and what a writer does with a change that
 * arrives before what it depends on. Writers (SQL, MongoDB, memory) only store.
 */

/**
 * A count the read models keep so that no list ever counts rows: every article, the
 * articles with a tag, by an author, favourited by a user; and the favourites of an article
 * (its `favoritesCount`).
 */
export type Counter =
  | { readonly kind: 'articles' }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'author'; readonly authorId: string }
  | { readonly kind: 'favorited'; readonly userId: string }
  | { readonly kind: 'favorites'; readonly articleId: string };

export interface CounterDelta {
  readonly counter: Counter;
  readonly delta: number;
}

/** A stable text key per counter (unique across kinds), for stores that keep counts by key. */
export function counterKey(counter: Counter): string {
  switch (counter.kind) {
    case 'articles':
      return 'articles';
    case 'tag':
      return `tag:${counter.tag}`;
    case 'author':
      return `author:${counter.authorId}`;
    case 'favorited':
      return `favorited:${counter.userId}`;
    case 'favorites':
      return `favorites:${counter.articleId}`;
  }
}

/** What of an article the counts depend on. */
export interface CountedArticle {
  readonly authorId: string;
  readonly tagList: readonly string[];
}

const articleCounters = (article: CountedArticle): Counter[] => [
  { kind: 'articles' },
  { kind: 'author', authorId: article.authorId },
  ...article.tagList.map((tag): Counter => ({ kind: 'tag', tag })),
];

/**
 * How the counts change when the stored article goes from `before` to `after` (null: not
 * held — new, or deleted). Counts are maintained from the stored state, never from the
 * events: a writer applies these deltas in the same atomic step as the state change they
 * describe, and a change that does not change the stored state (a repeat, an older version)
 * has no deltas. So the counts always equal what a count over the stored rows would give.
 */
export function articleCountDeltas(before: CountedArticle | null, after: CountedArticle | null): CounterDelta[] {
  const deltas = new Map<string, CounterDelta>();
  const add = (counters: readonly Counter[], delta: number) => {
    for (const counter of counters) {
      const key = counterKey(counter);
      const net = (deltas.get(key)?.delta ?? 0) + delta;
      deltas.set(key, { counter, delta: net });
    }
  };
  if (before) add(articleCounters(before), -1);
  if (after) add(articleCounters(after), +1);
  return [...deltas.values()].filter((d) => d.delta !== 0);
}

/** A favourite switched from `before` to `after`: the article's count and the user's. */
export function favoriteCountDeltas(
  pair: { readonly userId: string; readonly articleId: string },
  before: boolean,
  after: boolean,
): CounterDelta[] {
  if (before === after) return [];
  const delta = after ? 1 : -1;
  return [
    { counter: { kind: 'favorites', articleId: pair.articleId }, delta },
    { counter: { kind: 'favorited', userId: pair.userId }, delta },
  ];
}

/**
 * A deleted article takes its favourites with it: every user who had it favourited counts
 * one fewer (the article's own favourites count goes with the article).
 */
export const removedFavoritesDeltas = (favoriterIds: readonly string[]): CounterDelta[] =>
  favoriterIds.map((userId) => ({ counter: { kind: 'favorited', userId }, delta: -1 }));

/** The public fields every article and comment embeds a copy of. */
export interface EmbeddedAuthorFields {
  readonly username: string;
  readonly bio: string | null;
  readonly image: string | null;
}

/** Whether the copies embedded in articles and comments must be rewritten (an e-mail change alone does not). */
export const embeddedAuthorChanged = (stored: EmbeddedAuthorFields, next: EmbeddedAuthorFields): boolean =>
  stored.username !== next.username || stored.bio !== next.bio || stored.image !== next.image;

/**
 * Thrown by a writer for a change that depends on something it does not hold yet: content
 * by a user not projected yet, a favourite or comment of an article not projected yet (and
 * not deleted). Events may arrive in any order (several projectors, retries); the projector
 * retries the change later rather than losing it or papering over it. Content of a DELETED
 * article (its tombstone is there) is dropped silently instead: it can never be shown.
 */
export class NotProjectedYet extends Error {
  override readonly name = 'NotProjectedYet';
}
