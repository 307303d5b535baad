import { beforeEach, describe, expect, it } from 'vitest';
import type { ReadModelChange } from '../../../src/application/read-side/read-model-changes.js';
import type { WriteModelSnapshot } from '../../../src/application/read-side/write-model-snapshot.js';
import { ArticleEdit, Email, User, Username } from '../../../src/domain/index.js';
import {
  minutesAfterT0,
  must,
  newComment,
  newFavorite,
  newFollow,
  saved,
  storedArticle,
  storedUser,
  T0,
  type WriteSide,
} from '../repositories/write-side.contract.js';

/**
 * The contract of WriteModelSnapshot: the write model listed as the read-model changes it
 * amounts to. The write model is filled through the repositories, as the command handlers
 * fill it. `open` gives an empty write model; called before every test.
 */
export type OpenSnapshot = () => Promise<WriteSide>;

/** What identifies a listed change: the user, article, pair or comment it is about. */
const keyOf = (change: ReadModelChange): string => {
  switch (change.kind) {
    case 'user':
      return change.user.userId;
    case 'article':
      return change.article.articleId;
    case 'follow':
      return `${change.pair.followerId}→${change.pair.followeeId}`;
    case 'favorite':
      return `${change.pair.userId}→${change.pair.articleId}`;
    case 'comment':
      return String(change.comment.commentId);
    default:
      return change.kind;
  }
};

const collect = async <T>(batches: AsyncIterable<readonly T[]>): Promise<T[][]> => {
  const all: T[][] = [];
  for await (const batch of batches) all.push([...batch]);
  return all;
};

const flat = async <T>(batches: AsyncIterable<readonly T[]>): Promise<T[]> => (await collect(batches)).flat();

/** A canonical uuid whose order is that of `n` (same order as text and as PostgreSQL uuids). */
const orderedId = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function storedUserWithId(w: WriteSide, n: number): Promise<User> {
  const user = must(
    User.register({
      id: orderedId(n),
      username: must(Username.create(`ordered${n}`)),
      email: must(Email.create(`ordered${n}@example.com`)),
      passwordHash: 'hash',
      now: T0,
      availability: { usernameTaken: false, emailTaken: false },
    }),
  );
  await saved(w.users.save(user));
  return user;
}

export function writeModelSnapshotContract(open: OpenSnapshot): void {
  describe('WriteModelSnapshot contract', () => {
    let fixture: WriteSide;
    beforeEach(async () => {
      fixture = await open();
    });
    const snapshot = (): WriteModelSnapshot => fixture.snapshot;
    const w = () => fixture;

    it('counts nothing and lists no batch for an empty write model', async () => {
      expect(await snapshot().counts()).toEqual({ users: 0, articles: 0, follows: 0, favorites: 0, comments: 0 });
      for (const listing of [
        snapshot().users(10),
        snapshot().articles(10),
        snapshot().follows(10),
        snapshot().favorites(10),
        snapshot().comments(10),
      ])
        expect(await collect<unknown>(listing)).toEqual([]);
    });

    it('lists every row in the shape the read-model writer takes, with its current version', async () => {
      const author = await storedUser(w(), { username: 'Author' });
      const fan = await storedUser(w(), { username: 'Fan' });
      must(author.update({ bio: 'Writes things', image: 'https://example.com/a.png' }, { usernameTaken: false, emailTaken: false }, minutesAfterT0(1)));
      await saved(w().users.save(author));

      const article = await storedArticle(w(), author.id, { title: 'Dragons', tagList: ['dragons', 'training'] });
      must(
        article.edit(
          { userId: author.id, role: 'user' },
          must(ArticleEdit.parse({ body: 'Edited.' })),
          { baseTaken: false, uniqueSuffix: 'x' },
          minutesAfterT0(2),
        ),
      );
      await saved(w().articles.save(article));

      const follow = newFollow(fan.id, author.id);
      await saved(w().follows.save(follow));
      follow.switchTo(false, minutesAfterT0(3));
      await saved(w().follows.save(follow));
      await saved(w().favorites.save(newFavorite(fan.id, article.id)));
      await saved(w().comments.save(newComment(7, article.id, fan.id, { body: 'Nice', now: minutesAfterT0(4) })));

      expect(await snapshot().counts()).toEqual({ users: 2, articles: 1, follows: 1, favorites: 1, comments: 1 });
      const users = await flat(snapshot().users(10));
      expect(users.find((u) => keyOf(u) === author.id)).toEqual({
        kind: 'user',
        user: { userId: author.id, username: 'Author', email: author.email, bio: 'Writes things', image: 'https://example.com/a.png' },
        version: 2,
      });
      expect(users.find((u) => keyOf(u) === fan.id)).toEqual({
        kind: 'user',
        user: { userId: fan.id, username: 'Fan', email: fan.email, bio: null, image: null },
        version: 1,
      });
      expect(await flat(snapshot().articles(10))).toEqual([
        {
          kind: 'article',
          article: {
            articleId: article.id,
            authorId: author.id,
            slug: article.slug,
            title: 'Dragons',
            description: 'Ever wonder how?',
            body: 'Edited.',
            tagList: ['dragons', 'training'],
            createdAt: T0.toISOString(),
            updatedAt: minutesAfterT0(2).toISOString(),
          },
          version: 2,
        },
      ]);
      // Switched-off pairs are listed too: their version guards the read model against late events.
      expect(await flat(snapshot().follows(10))).toEqual([
        { kind: 'follow', pair: { followerId: fan.id, followeeId: author.id }, active: false, version: 2 },
      ]);
      expect(await flat(snapshot().favorites(10))).toEqual([
        { kind: 'favorite', pair: { userId: fan.id, articleId: article.id }, active: true, version: 1 },
      ]);
      expect(await flat(snapshot().comments(10))).toEqual([
        {
          kind: 'comment',
          comment: { commentId: 7, articleId: article.id, authorId: fan.id, body: 'Nice', createdAt: minutesAfterT0(4).toISOString() },
        },
      ]);
    });

    it('pages in primary-key order, in batches of at most batchSize, with no empty or repeated batch', async () => {
      for (const n of [5, 3, 1, 4, 2]) await storedUserWithId(w(), n);
      const batches = await collect(snapshot().users(2));
      expect(batches.map((batch) => batch.map(keyOf))).toEqual([
        [orderedId(1), orderedId(2)],
        [orderedId(3), orderedId(4)],
        [orderedId(5)],
      ]);
      expect((await collect(snapshot().users(5))).map((batch) => batch.length)).toEqual([5]);
      expect((await collect(snapshot().users(1))).map((batch) => batch.length)).toEqual([1, 1, 1, 1, 1]);
    });

    it('orders pairs by both keys and comments by numeric id', async () => {
      const users = [];
      for (const n of [1, 2, 3]) users.push(await storedUserWithId(w(), n));
      const [a, b, c] = users as [User, User, User];
      for (const [x, y] of [
        [b, c],
        [a, c],
        [b, a],
        [a, b],
      ] as const)
        await saved(w().follows.save(newFollow(x.id, y.id)));
      const pairs = (await collect(snapshot().follows(3))).map((batch) =>
        batch.map((f) => keyOf(f).replace(/[^→]*(.)→[^→]*(.)$/, '$1→$2')),
      );
      expect(pairs).toEqual([['1→2', '1→3', '2→1'], ['2→3']]);

      const article = await storedArticle(w(), a.id);
      for (const id of [10, 2, 9]) await saved(w().comments.save(newComment(id, article.id, b.id)));
      await saved(w().favorites.save(newFavorite(c.id, article.id)));
      await saved(w().favorites.save(newFavorite(a.id, article.id)));
      expect((await flat(snapshot().comments(2))).map(keyOf)).toEqual(['2', '9', '10']);
      expect((await flat(snapshot().favorites(1))).map((f) => keyOf(f).split('→')[0])).toEqual([a.id, c.id]);
    });

    it('reads each batch afresh: a row written after the cursor shows up, one written behind it does not', async () => {
      for (const n of [2, 4, 6]) await storedUserWithId(w(), n);
      const seen: string[] = [];
      for await (const batch of snapshot().users(1)) {
        seen.push(...batch.map(keyOf));
        if (seen.length === 1) {
          await storedUserWithId(w(), 1);
          await storedUserWithId(w(), 5);
        }
      }
      expect(seen).toEqual([orderedId(2), orderedId(4), orderedId(5), orderedId(6)]);
    });

    it('refuses a batch size that is not a whole number from 1 to 10000', () => {
      for (const bad of [0, -1, 1.5, Number.NaN, 10_001]) {
        expect(() => snapshot().users(bad)).toThrow(RangeError);
        expect(() => snapshot().comments(bad)).toThrow(RangeError);
      }
    });
  });
}
