import { beforeEach, describe, expect, it } from 'vitest';
import {
  aComment,
  anArticle,
  at,
  aUser,
  givenArticle,
  givenUsers,
  newId,
  slugs,
  type ArticleFixture,
  type ReadStores,
  type ReadStoresFactory,
} from './read-store.fixtures.js';
import type { CommentReadModel } from '../../../src/application/read-side/read-models.js';

/**
 * The contract of the read side, one suite per port. Every adapter family (memory, SQL on
 * PGlite and PostgreSQL, …) runs all of them; passing them is what it means to implement
 * the ports. Stores are filled through the writer, as the projections fill them.
 */
export function readStoreContracts(factory: ReadStoresFactory): void {
  userReadStoreContract(factory);
  articleReadStoreContract(factory);
  commentReadStoreContract(factory);
  relationshipReadStoreContract(factory);
  readModelWriterContract(factory);
}

/** A comment as its article's list holds it, or null. */
const commentOf = async (
  stores: ReadStores,
  comment: { readonly id: number; readonly articleId: string },
): Promise<CommentReadModel | null> =>
  (await stores.comments.listByArticle(comment.articleId)).find((c) => c.id === comment.id) ?? null;

const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PAGE = { limit: 20, offset: 0 };

/** Runs `setup` before each test with fresh, empty stores and returns a getter for them. */
function freshStores(factory: ReadStoresFactory): () => ReadStores {
  let stores: ReadStores | undefined;
  beforeEach(async () => {
    stores = await factory();
  });
  return () => {
    if (!stores) throw new Error('stores are created in beforeEach');
    return stores;
  };
}

export function userReadStoreContract(factory: ReadStoresFactory): void {
  describe('UserReadStore contract', () => {
    const stores = freshStores(factory);

    it('finds a user by id, with the private email', async () => {
      const user = aUser({ username: 'Jake', bio: 'I work at statefarm', image: 'https://example.com/jake.png' });
      await stores().writer.upsertUser(user);
      expect(await stores().users.findById(user.id)).toEqual({
        id: user.id,
        username: 'Jake',
        email: user.email,
        bio: 'I work at statefarm',
        image: 'https://example.com/jake.png',
      });
    });

    it('answers null for an unknown id', async () => {
      expect(await stores().users.findById(newId())).toBeNull();
    });

    it('finds a profile by username key whatever the case of the name, without the email', async () => {
      const user = aUser({ username: 'JakeTheDog' });
      await stores().writer.upsertUser(user);
      const profile = { id: user.id, username: 'JakeTheDog', bio: null, image: null };
      expect(await stores().users.findProfileByUsernameKey('jakethedog')).toEqual(profile);
      expect(await stores().users.findProfileByUsernameKey('JAKETHEDOG')).toEqual(profile);
    });

    it('answers null for an unknown username', async () => {
      await givenUsers(stores(), 1);
      expect(await stores().users.findProfileByUsernameKey('nobody')).toBeNull();
    });

    it('follows a rename: the new name is found, the old one no longer', async () => {
      const user = aUser({ username: 'before' });
      await stores().writer.upsertUser(user);
      await stores().writer.upsertUser({ ...user, username: 'After', version: 2 });
      expect(await stores().users.findProfileByUsernameKey('before')).toBeNull();
      expect((await stores().users.findProfileByUsernameKey('after'))?.username).toBe('After');
    });
  });
}

export function articleReadStoreContract(factory: ReadStoresFactory): void {
  describe('ArticleReadStore contract', () => {
    const stores = freshStores(factory);

    describe('findBySlug', () => {
      it('returns the whole article with its author embedded and timestamps as ISO-8601 with milliseconds', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!, {
          slug: 'how-to-train-your-dragon',
          title: 'How to train your dragon',
          description: 'Ever wonder how?',
          body: 'You have to believe',
          tagList: ['dragons', 'training'],
          createdAt: '2026-01-02T04:04:05.678+01:00',
          updatedAt: '2026-01-03T03:04:05Z',
        });
        expect(await stores().articles.findBySlug('how-to-train-your-dragon')).toEqual({
          id: article.id,
          slug: 'how-to-train-your-dragon',
          title: 'How to train your dragon',
          description: 'Ever wonder how?',
          body: 'You have to believe',
          tagList: ['dragons', 'training'],
          createdAt: '2026-01-02T03:04:05.678Z',
          updatedAt: '2026-01-03T03:04:05.000Z',
          favoritesCount: 0,
          author: { id: author!.id, username: author!.username, bio: null, image: null },
        });
      });

      it('answers null for an unknown slug', async () => {
        expect(await stores().articles.findBySlug('no-such-article')).toBeNull();
      });
    });

    describe('list', () => {
      it('lists newest first, ties broken by id descending, as summaries without a body', async () => {
        const [author] = await givenUsers(stores(), 1);
        const old = await givenArticle(stores(), author!, { createdAt: at(1) });
        const tieLow = await givenArticle(stores(), author!, { id: `${newId()}-a`, createdAt: at(5) });
        const tieHigh = await givenArticle(stores(), author!, { id: `${tieLow.id.slice(0, -2)}-b`, createdAt: at(5) });
        const newest = await givenArticle(stores(), author!, { createdAt: at(9) });
        const page = await stores().articles.list({}, PAGE);
        expect(slugs(page)).toEqual([newest.slug, tieHigh.slug, tieLow.slug, old.slug]);
        expect(page.total).toBe(4);
        for (const item of page.items) {
          expect(item).not.toHaveProperty('body');
          expect(item.createdAt).toMatch(ISO_MS_Z);
          expect(item.updatedAt).toMatch(ISO_MS_Z);
          expect(item.author).toEqual({ id: author!.id, username: author!.username, bio: null, image: null });
        }
      });

      it('pages with limit and offset; total counts every match', async () => {
        const [author] = await givenUsers(stores(), 1);
        const articles = [];
        for (let i = 0; i < 7; i++) articles.push(await givenArticle(stores(), author!));
        const newestFirst = articles.map((a) => a.slug).reverse();
        const first = await stores().articles.list({}, { limit: 3, offset: 0 });
        const second = await stores().articles.list({}, { limit: 3, offset: 3 });
        const last = await stores().articles.list({}, { limit: 3, offset: 6 });
        const beyond = await stores().articles.list({}, { limit: 3, offset: 10 });
        expect([slugs(first), slugs(second), slugs(last)]).toEqual([
          newestFirst.slice(0, 3),
          newestFirst.slice(3, 6),
          newestFirst.slice(6),
        ]);
        expect([first.total, second.total, last.total, beyond.total]).toEqual([7, 7, 7, 7]);
        expect(beyond.items).toEqual([]);
      });

      it('is empty with total 0 when there are no articles', async () => {
        expect(await stores().articles.list({}, PAGE)).toEqual({ items: [], total: 0 });
      });

      it('filters by tag, exactly', async () => {
        const [author] = await givenUsers(stores(), 1);
        const dragons = await givenArticle(stores(), author!, { tagList: ['dragons', 'training'] });
        await givenArticle(stores(), author!, { tagList: ['Dragons'] });
        await givenArticle(stores(), author!, { tagList: ['training'] });
        const page = await stores().articles.list({ tag: 'dragons' }, PAGE);
        expect(slugs(page)).toEqual([dragons.slug]);
        expect(page.total).toBe(1);
      });

      it('filters by author, given as a username key', async () => {
        const jake = aUser({ username: 'Jake' });
        const [other] = await givenUsers(stores(), 1);
        await stores().writer.upsertUser(jake);
        const first = await givenArticle(stores(), jake);
        await givenArticle(stores(), other!);
        const second = await givenArticle(stores(), jake);
        const page = await stores().articles.list({ authorKey: 'jake' }, PAGE);
        expect(slugs(page)).toEqual([second.slug, first.slug]);
        expect(page.total).toBe(2);
      });

      it('filters by the user who favourited, counting only active favourites', async () => {
        const fan = aUser({ username: 'Fan' });
        const [author] = await givenUsers(stores(), 1);
        await stores().writer.upsertUser(fan);
        const liked = await givenArticle(stores(), author!);
        const unliked = await givenArticle(stores(), author!);
        await givenArticle(stores(), author!);
        await stores().writer.setFavorite(fan.id, liked.id, true, 1);
        await stores().writer.setFavorite(fan.id, unliked.id, true, 1);
        await stores().writer.setFavorite(fan.id, unliked.id, false, 2);
        const page = await stores().articles.list({ favoritedByKey: 'fan' }, PAGE);
        expect(slugs(page)).toEqual([liked.slug]);
        expect(page.total).toBe(1);
      });

      it('combines filters: every given filter must match', async () => {
        const jake = aUser({ username: 'jake' });
        const fan = aUser({ username: 'fan' });
        const [other] = await givenUsers(stores(), 1);
        for (const u of [jake, fan]) await stores().writer.upsertUser(u);
        const match = await givenArticle(stores(), jake, { tagList: ['dragons'] });
        const jakeUntagged = await givenArticle(stores(), jake, { tagList: ['cats'] });
        const jakeUnliked = await givenArticle(stores(), jake, { tagList: ['dragons'] });
        const otherTagged = await givenArticle(stores(), other!, { tagList: ['dragons'] });
        for (const a of [match, jakeUntagged, otherTagged]) await stores().writer.setFavorite(fan.id, a.id, true, 1);

        const all = await stores().articles.list({ tag: 'dragons', authorKey: 'jake', favoritedByKey: 'fan' }, PAGE);
        expect(slugs(all)).toEqual([match.slug]);
        expect(all.total).toBe(1);
        const tagAndAuthor = await stores().articles.list({ tag: 'dragons', authorKey: 'jake' }, PAGE);
        expect(slugs(tagAndAuthor)).toEqual([jakeUnliked.slug, match.slug]);
        const authorAndFan = await stores().articles.list({ authorKey: 'jake', favoritedByKey: 'fan' }, PAGE);
        expect(slugs(authorAndFan)).toEqual([jakeUntagged.slug, match.slug]);
        const tagAndFan = await stores().articles.list({ tag: 'dragons', favoritedByKey: 'fan' }, PAGE);
        expect(slugs(tagAndFan)).toEqual([otherTagged.slug, match.slug]);
        expect(tagAndFan.total).toBe(2);
      });

      it('pages a filtered list, total counting every match', async () => {
        const [author, other] = await givenUsers(stores(), 2);
        const tagged = [];
        for (let i = 0; i < 5; i++) {
          tagged.push(await givenArticle(stores(), author!, { tagList: ['go'] }));
          await givenArticle(stores(), other!, { tagList: ['go'] });
        }
        const page = await stores().articles.list(
          { tag: 'go', authorKey: author!.username },
          { limit: 2, offset: 1 },
        );
        expect(slugs(page)).toEqual([tagged[3]!.slug, tagged[2]!.slug]);
        expect(page.total).toBe(5);
      });

      it('gives an empty page with total 0 for an unknown author, favouriting user or tag', async () => {
        const [author] = await givenUsers(stores(), 1);
        await givenArticle(stores(), author!, { tagList: ['dragons'] });
        const empty = { items: [], total: 0 };
        expect(await stores().articles.list({ authorKey: 'nobody' }, PAGE)).toEqual(empty);
        expect(await stores().articles.list({ favoritedByKey: 'nobody' }, PAGE)).toEqual(empty);
        expect(await stores().articles.list({ tag: 'unknown-tag' }, PAGE)).toEqual(empty);
        expect(await stores().articles.list({ tag: 'dragons', authorKey: 'nobody' }, PAGE)).toEqual(empty);
      });
    });

    describe('feed', () => {
      it('lists the articles of followed authors only, newest first, paged, total counting all', async () => {
        const [reader, followed1, followed2, stranger] = await givenUsers(stores(), 4);
        await stores().writer.setFollow(reader!.id, followed1!.id, true, 1);
        await stores().writer.setFollow(reader!.id, followed2!.id, true, 1);
        const a1 = await givenArticle(stores(), followed1!);
        await givenArticle(stores(), stranger!);
        const a2 = await givenArticle(stores(), followed2!);
        await givenArticle(stores(), reader!);
        const a3 = await givenArticle(stores(), followed1!);

        const full = await stores().articles.feed(reader!.id, PAGE);
        expect(slugs(full)).toEqual([a3.slug, a2.slug, a1.slug]);
        expect(full.total).toBe(3);
        const paged = await stores().articles.feed(reader!.id, { limit: 1, offset: 1 });
        expect(slugs(paged)).toEqual([a2.slug]);
        expect(paged.total).toBe(3);
        expect(paged.items[0]).not.toHaveProperty('body');
      });

      it('drops the articles of an unfollowed author', async () => {
        const [reader, author] = await givenUsers(stores(), 2);
        await givenArticle(stores(), author!);
        await stores().writer.setFollow(reader!.id, author!.id, true, 1);
        expect((await stores().articles.feed(reader!.id, PAGE)).total).toBe(1);
        await stores().writer.setFollow(reader!.id, author!.id, false, 2);
        expect(await stores().articles.feed(reader!.id, PAGE)).toEqual({ items: [], total: 0 });
      });

      it('is empty for a reader who follows nobody, or whom nobody knows', async () => {
        const [reader, author] = await givenUsers(stores(), 2);
        await givenArticle(stores(), author!);
        await stores().writer.setFollow(author!.id, reader!.id, true, 1);
        expect(await stores().articles.feed(reader!.id, PAGE)).toEqual({ items: [], total: 0 });
        expect(await stores().articles.feed(newId(), PAGE)).toEqual({ items: [], total: 0 });
      });
    });

    describe('tags', () => {
      it('lists the tags in use, most used first, then alphabetically', async () => {
        const [author] = await givenUsers(stores(), 1);
        await givenArticle(stores(), author!, { tagList: ['b', 'c'] });
        await givenArticle(stores(), author!, { tagList: ['a', 'c', 'z'] });
        await givenArticle(stores(), author!, { tagList: ['c', 'z'] });
        expect(await stores().articles.tags()).toEqual(['c', 'z', 'a', 'b']);
      });

      it('is empty when no article has tags', async () => {
        const [author] = await givenUsers(stores(), 1);
        await givenArticle(stores(), author!);
        expect(await stores().articles.tags()).toEqual([]);
      });
    });

    describe('maintained counts', () => {
      /** What every total must be: counted here from the articles the test left in place. */
      const expectTotals = async (
        live: readonly { readonly id: string; readonly authorId: string; readonly tagList: readonly string[] }[],
        favourites: ReadonlyMap<string, ReadonlySet<string>>,
        users: readonly { readonly id: string; readonly username: string }[],
      ) => {
        const all = await stores().articles.list({}, { limit: 1, offset: 0 });
        expect(all.total).toBe(live.length);
        for (const tag of new Set(live.flatMap((a) => a.tagList).concat(['never-used']))) {
          const page = await stores().articles.list({ tag }, { limit: 1, offset: 0 });
          expect(page.total, `tag ${tag}`).toBe(live.filter((a) => a.tagList.includes(tag)).length);
        }
        for (const user of users) {
          const byAuthor = await stores().articles.list({ authorKey: user.username.toLowerCase() }, { limit: 1, offset: 0 });
          expect(byAuthor.total, `author ${user.username}`).toBe(live.filter((a) => a.authorId === user.id).length);
          const liked = favourites.get(user.id) ?? new Set();
          const byFavourite = await stores().articles.list({ favoritedByKey: user.username.toLowerCase() }, { limit: 1, offset: 0 });
          expect(byFavourite.total, `favourited by ${user.username}`).toBe(live.filter((a) => liked.has(a.id)).length);
        }
      };

      it('keeps every single-filter total exact through edits, deletions, favourites, repeats and late changes', async () => {
        const [ann, bob, cat] = await givenUsers(stores(), 3);
        const users = [ann!, bob!, cat!];
        const a1 = await givenArticle(stores(), ann!, { tagList: ['x', 'y'] });
        const a2 = await givenArticle(stores(), ann!, { tagList: ['y'] });
        const b1 = await givenArticle(stores(), bob!, { tagList: ['x', 'z'] });
        const b2 = await givenArticle(stores(), bob!);
        // An edit moves a tag; a late (older) version and a repeat change nothing.
        const a1v2 = { ...a1, tagList: ['y', 'z'], version: 2 };
        await stores().writer.upsertArticle(a1v2);
        await stores().writer.upsertArticle(a1);
        await stores().writer.upsertArticle(a1v2);
        // Favourites, repeated and switched off again.
        await stores().writer.setFavorite(cat!.id, a1.id, true, 1);
        await stores().writer.setFavorite(cat!.id, a1.id, true, 1);
        await stores().writer.setFavorite(cat!.id, b1.id, true, 1);
        await stores().writer.setFavorite(cat!.id, b2.id, true, 1);
        await stores().writer.setFavorite(cat!.id, b2.id, false, 2);
        await stores().writer.setFavorite(cat!.id, b2.id, true, 1);
        await stores().writer.setFavorite(ann!.id, b1.id, true, 1);
        // A deletion takes its favourites along; repeated, and followed by a late update.
        await stores().writer.deleteArticle(b1.id, 2);
        await stores().writer.deleteArticle(b1.id, 2);
        await stores().writer.upsertArticle({ ...b1, version: 1 });

        const live = [a1v2, a2, b2];
        await expectTotals(live, new Map([[cat!.id, new Set([a1.id])]]), users);
        expect(await stores().articles.tags()).toEqual(['y', 'z']);
        expect((await stores().articles.findBySlug(a1.slug))?.favoritesCount).toBe(1);
        expect((await stores().articles.findBySlug(b2.slug))?.favoritesCount).toBe(0);
      });

      it('counts a combination of filters exactly', async () => {
        const [ann, bob] = await givenUsers(stores(), 2);
        const a1 = await givenArticle(stores(), ann!, { tagList: ['x'] });
        await givenArticle(stores(), ann!, { tagList: ['y'] });
        const b1 = await givenArticle(stores(), bob!, { tagList: ['x'] });
        await stores().writer.setFavorite(bob!.id, a1.id, true, 1);
        await stores().writer.setFavorite(bob!.id, b1.id, true, 1);
        const annKey = ann!.username.toLowerCase();
        const bobKey = bob!.username.toLowerCase();
        expect((await stores().articles.list({ tag: 'x', authorKey: annKey }, PAGE)).total).toBe(1);
        expect((await stores().articles.list({ tag: 'x', favoritedByKey: bobKey }, PAGE)).total).toBe(2);
        expect((await stores().articles.list({ authorKey: annKey, favoritedByKey: bobKey }, PAGE)).total).toBe(1);
        expect((await stores().articles.list({ tag: 'y', favoritedByKey: bobKey }, PAGE)).total).toBe(0);
      });

      it('gives the feed the sum of the followed authors\' articles, following switches included', async () => {
        const [ann, bob, cat, reader] = await givenUsers(stores(), 4);
        for (const author of [ann!, ann!, bob!, cat!]) await givenArticle(stores(), author);
        await stores().writer.setFollow(reader!.id, ann!.id, true, 1);
        await stores().writer.setFollow(reader!.id, bob!.id, true, 1);
        await stores().writer.setFollow(reader!.id, cat!.id, true, 1);
        await stores().writer.setFollow(reader!.id, cat!.id, false, 2);
        const feed = await stores().articles.feed(reader!.id, { limit: 1, offset: 0 });
        expect(feed.total).toBe(3);
        expect(feed.items).toHaveLength(1);
        expect((await stores().articles.feed(cat!.id, PAGE)).total).toBe(0);
      });

      it('applies a batch of changes as their one-by-one application would', async () => {
        const [ann, bob] = await givenUsers(stores(), 2);
        const first = anArticle(ann!, { tagList: ['t'] });
        const second = anArticle(ann!, { tagList: ['t', 'u'] });
        await stores().writer.apply(
          { kind: 'article', article: { ...articlePayload(first) }, version: 1 },
          { kind: 'article', article: { ...articlePayload(second) }, version: 1 },
          { kind: 'favorite', pair: { userId: bob!.id, articleId: first.id }, active: true, version: 1 },
          { kind: 'article', article: { ...articlePayload(second), tagList: ['u'] }, version: 2 },
          { kind: 'follow', pair: { followerId: bob!.id, followeeId: ann!.id }, active: true, version: 1 },
        );
        expect((await stores().articles.list({ tag: 't' }, PAGE)).total).toBe(1);
        expect((await stores().articles.list({ tag: 'u' }, PAGE)).total).toBe(1);
        expect((await stores().articles.findBySlug(first.slug))?.favoritesCount).toBe(1);
        expect((await stores().articles.feed(bob!.id, PAGE)).total).toBe(2);
        expect(await stores().articles.tags()).toEqual(['t', 'u']);
      });
    });
  });
}

const articlePayload = (article: ArticleFixture) => {
  const { id, version: _version, ...fields } = article;
  return { articleId: id, ...fields };
};

export function commentReadStoreContract(factory: ReadStoresFactory): void {
  describe('CommentReadStore contract', () => {
    const stores = freshStores(factory);

    it('lists the comments of an article oldest first, ties by id, authors embedded', async () => {
      const [author, commenter] = await givenUsers(stores(), 2);
      const article = await givenArticle(stores(), author!);
      const other = await givenArticle(stores(), author!);
      const late = aComment(article, commenter!, { createdAt: at(30) });
      const early = aComment(article, author!, { createdAt: at(10) });
      const tieA = aComment(article, commenter!, { createdAt: at(20) });
      const tieB = aComment(article, commenter!, { id: tieA.id + 1000, createdAt: at(20) });
      for (const c of [late, tieB, early, tieA, aComment(other, commenter!)]) await stores().writer.addComment(c);

      const comments = await stores().comments.listByArticle(article.id);
      expect(comments.map((c) => c.id)).toEqual([early.id, tieA.id, tieB.id, late.id]);
      expect(comments[0]).toEqual({
        id: early.id,
        articleId: article.id,
        body: early.body,
        createdAt: early.createdAt,
        updatedAt: early.createdAt,
        author: { id: author!.id, username: author!.username, bio: null, image: null },
      });
    });

    it('lists nothing for an article without comments', async () => {
      const [author] = await givenUsers(stores(), 1);
      const article = await givenArticle(stores(), author!);
      expect(await stores().comments.listByArticle(article.id)).toEqual([]);
      expect(await stores().comments.listByArticle(newId())).toEqual([]);
    });

    it('lists a comment with ISO-8601 timestamps', async () => {
      const [author] = await givenUsers(stores(), 1);
      const article = await givenArticle(stores(), author!);
      const comment = aComment(article, author!, { createdAt: '2026-05-06T07:08:09+02:00' });
      await stores().writer.addComment(comment);
      const found = await commentOf(stores(), comment);
      expect(found).toMatchObject({ id: comment.id, body: comment.body, articleId: article.id });
      expect(found?.createdAt).toBe('2026-05-06T05:08:09.000Z');
      expect(found?.updatedAt).toBe('2026-05-06T05:08:09.000Z');
    });
  });
}

export function relationshipReadStoreContract(factory: ReadStoresFactory): void {
  describe('RelationshipReadStore contract', () => {
    const stores = freshStores(factory);

    it('answers which of the given users the viewer follows, in one call', async () => {
      const [viewer, a, b, c, d] = await givenUsers(stores(), 5);
      await stores().writer.setFollow(viewer!.id, a!.id, true, 1);
      await stores().writer.setFollow(viewer!.id, b!.id, true, 1);
      await stores().writer.setFollow(viewer!.id, b!.id, false, 2);
      await stores().writer.setFollow(viewer!.id, d!.id, true, 1);
      await stores().writer.setFollow(c!.id, viewer!.id, true, 1);
      await stores().writer.setFollow(a!.id, c!.id, true, 1);
      const followed = await stores().relationships.followedAmong(viewer!.id, [a!.id, b!.id, c!.id, newId()]);
      expect([...followed].sort()).toEqual([a!.id]);
    });

    it('answers which of the given articles the viewer has favourited, in one call', async () => {
      const [viewer, other, author] = await givenUsers(stores(), 3);
      const [x, y, z, w] = [
        await givenArticle(stores(), author!),
        await givenArticle(stores(), author!),
        await givenArticle(stores(), author!),
        await givenArticle(stores(), author!),
      ];
      await stores().writer.setFavorite(viewer!.id, x!.id, true, 1);
      await stores().writer.setFavorite(viewer!.id, y!.id, true, 1);
      await stores().writer.setFavorite(viewer!.id, y!.id, false, 2);
      await stores().writer.setFavorite(other!.id, z!.id, true, 1);
      await stores().writer.setFavorite(viewer!.id, w!.id, true, 1);
      const favorited = await stores().relationships.favoritedAmong(viewer!.id, [x!.id, y!.id, z!.id, newId()]);
      expect([...favorited].sort()).toEqual([x!.id]);
    });

    it('answers an empty set for an empty list, an unknown viewer or a page of strangers', async () => {
      const [viewer, a] = await givenUsers(stores(), 2);
      await stores().writer.setFollow(viewer!.id, a!.id, true, 1);
      expect((await stores().relationships.followedAmong(viewer!.id, [])).size).toBe(0);
      expect((await stores().relationships.favoritedAmong(viewer!.id, [])).size).toBe(0);
      expect((await stores().relationships.followedAmong(newId(), [a!.id])).size).toBe(0);
      expect((await stores().relationships.favoritedAmong(newId(), [newId()])).size).toBe(0);
    });

    it('answers for a whole page of ids, duplicates included', async () => {
      const [viewer, author] = await givenUsers(stores(), 2);
      const others = await givenUsers(stores(), 30);
      const articles = [];
      for (let i = 0; i < 30; i++) articles.push(await givenArticle(stores(), author!));
      for (const [i, u] of others.entries())
        if (i % 3 === 0) await stores().writer.setFollow(viewer!.id, u.id, true, 1);
      for (const [i, a] of articles.entries())
        if (i % 2 === 0) await stores().writer.setFavorite(viewer!.id, a.id, true, 1);
      const userIds = [...others.map((u) => u.id), others[0]!.id];
      const articleIds = [...articles.map((a) => a.id), articles[0]!.id];
      expect((await stores().relationships.followedAmong(viewer!.id, userIds)).size).toBe(10);
      expect((await stores().relationships.favoritedAmong(viewer!.id, articleIds)).size).toBe(15);
    });
  });
}

export function readModelWriterContract(factory: ReadStoresFactory): void {
  describe('ReadModelWriter contract', () => {
    const stores = freshStores(factory);

    describe('upsertUser', () => {
      it('applies only a newer version: repeated and older events change nothing', async () => {
        const user = aUser({ username: 'jake', bio: 'v1' });
        await stores().writer.upsertUser(user);
        await stores().writer.upsertUser({ ...user, bio: 'v3', version: 3 });
        await stores().writer.upsertUser({ ...user, bio: 'v2', version: 2 });
        await stores().writer.upsertUser({ ...user, bio: 'v3 again', version: 3 });
        await stores().writer.upsertUser({ ...user, username: 'old-name', version: 1 });
        expect(await stores().users.findById(user.id)).toMatchObject({ username: 'jake', bio: 'v3' });
        expect(await stores().users.findProfileByUsernameKey('old-name')).toBeNull();
      });

      it('rewrites the embedded author of every article and comment on a rename, bio or image change', async () => {
        const [author, reader] = await givenUsers(stores(), 2);
        const first = await givenArticle(stores(), author!, { tagList: ['t'] });
        const second = await givenArticle(stores(), author!);
        const comment = aComment(first, author!);
        await stores().writer.addComment(comment);
        await stores().writer.setFollow(reader!.id, author!.id, true, 1);

        const renamed = { id: author!.id, username: 'Renamed', bio: 'new bio', image: 'https://example.com/a.png' };
        await stores().writer.upsertUser({ ...author!, ...renamed, version: 2 });

        expect((await stores().articles.findBySlug(first.slug))?.author).toEqual(renamed);
        const lists = [
          await stores().articles.list({}, PAGE),
          await stores().articles.list({ authorKey: 'renamed' }, PAGE),
          await stores().articles.list({ tag: 't' }, PAGE),
          await stores().articles.feed(reader!.id, PAGE),
        ];
        for (const page of lists) for (const item of page.items) expect(item.author).toEqual(renamed);
        expect(slugs(lists[1]!)).toEqual([second.slug, first.slug]);
        expect((await stores().articles.list({ authorKey: author!.username }, PAGE)).total).toBe(0);
        expect((await commentOf(stores(), comment))?.author).toEqual(renamed);
        expect((await stores().comments.listByArticle(first.id))[0]?.author).toEqual(renamed);
      });

      it('keeps a username key unique: another user cannot take a name that is in use', async () => {
        await stores().writer.upsertUser(aUser({ username: 'Taken' }));
        await expect(stores().writer.upsertUser(aUser({ username: 'taken' }))).rejects.toThrow();
        expect((await stores().users.findProfileByUsernameKey('taken'))?.username).toBe('Taken');
      });
    });

    describe('upsertArticle', () => {
      it('applies only a newer version and keeps the favourites count across updates', async () => {
        const [author, fan] = await givenUsers(stores(), 2);
        const article = await givenArticle(stores(), author!, { title: 'v1' });
        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        await stores().writer.upsertArticle({ ...article, title: 'v3', version: 3 });
        await stores().writer.upsertArticle({ ...article, title: 'v2', version: 2 });
        await stores().writer.upsertArticle({ ...article, title: 'v3 again', version: 3 });
        expect(await stores().articles.findBySlug(article.slug)).toMatchObject({ title: 'v3', favoritesCount: 1 });
      });

      it('moves the article to its new slug', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!, { slug: 'old-slug' });
        await stores().writer.upsertArticle({ ...article, slug: 'new-slug', version: 2 });
        expect(await stores().articles.findBySlug('old-slug')).toBeNull();
        expect((await stores().articles.findBySlug('new-slug'))?.id).toBe(article.id);
      });

      it('recounts the tags an update gains or loses; a tag nobody uses disappears', async () => {
        const [author] = await givenUsers(stores(), 1);
        const a = await givenArticle(stores(), author!, { tagList: ['x', 'y'] });
        await givenArticle(stores(), author!, { tagList: ['y'] });
        expect(await stores().articles.tags()).toEqual(['y', 'x']);
        await stores().writer.upsertArticle({ ...a, tagList: ['y', 'z', 'zz'], version: 2 });
        expect(await stores().articles.tags()).toEqual(['y', 'z', 'zz']);
        await stores().writer.upsertArticle({ ...a, tagList: ['zz'], version: 3 });
        expect(await stores().articles.tags()).toEqual(['y', 'zz']);
        expect((await stores().articles.list({ tag: 'x' }, PAGE)).total).toBe(0);
        expect(slugs(await stores().articles.list({ tag: 'zz' }, PAGE))).toEqual([a.slug]);
      });

      it('counts tags exactly when articles sharing them are published concurrently', async () => {
        const authors = await givenUsers(stores(), 3);
        const many = Array.from({ length: 12 }, (_, i) => anArticle(authors[i % 3]!, { tagList: ['common', `own-${i}`] }));
        const fewer = Array.from({ length: 11 }, (_, i) => anArticle(authors[i % 3]!, { tagList: ['second'] }));
        await Promise.all([...many, ...fewer].map((a) => stores().writer.upsertArticle(a)));
        expect((await stores().articles.tags()).slice(0, 2)).toEqual(['common', 'second']);
        await Promise.all(many.slice(0, 2).map((a) => stores().writer.deleteArticle(a.id, 2)));
        expect((await stores().articles.tags()).slice(0, 2)).toEqual(['second', 'common']);
        expect((await stores().articles.list({ tag: 'common' }, PAGE)).total).toBe(10);
      });

      it('refuses an article whose author the read model does not know', async () => {
        await expect(stores().writer.upsertArticle(anArticle({ id: newId() }))).rejects.toThrow();
        expect((await stores().articles.list({}, PAGE)).total).toBe(0);
      });
    });

    describe('setFollow', () => {
      it('applies only a newer version: a late follow does not undo a newer unfollow', async () => {
        const [reader, author] = await givenUsers(stores(), 2);
        await stores().writer.setFollow(reader!.id, author!.id, true, 1);
        await stores().writer.setFollow(reader!.id, author!.id, false, 2);
        await stores().writer.setFollow(reader!.id, author!.id, true, 1);
        expect((await stores().relationships.followedAmong(reader!.id, [author!.id])).size).toBe(0);
        await stores().writer.setFollow(reader!.id, author!.id, true, 3);
        await stores().writer.setFollow(reader!.id, author!.id, true, 3);
        await stores().writer.setFollow(reader!.id, author!.id, false, 2);
        expect([...(await stores().relationships.followedAmong(reader!.id, [author!.id]))]).toEqual([author!.id]);
      });
    });

    describe('setFavorite', () => {
      it('applies only a newer version and keeps the count equal to the active favourites', async () => {
        const [author, fan, other] = await givenUsers(stores(), 3);
        const article = await givenArticle(stores(), author!);
        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        await stores().writer.setFavorite(other!.id, article.id, true, 1);
        expect((await stores().articles.findBySlug(article.slug))?.favoritesCount).toBe(2);
        await stores().writer.setFavorite(fan!.id, article.id, false, 2);
        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        expect((await stores().articles.findBySlug(article.slug))?.favoritesCount).toBe(1);
        expect((await stores().relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
        const listed = await stores().articles.list({}, PAGE);
        expect(listed.items[0]?.favoritesCount).toBe(1);
      });

      it('counts exactly when 20 favourites, and then their repeats, are applied concurrently', async () => {
        const [author] = await givenUsers(stores(), 1);
        const fans = await givenUsers(stores(), 20);
        const article = await givenArticle(stores(), author!);
        const favourite = (version: number, active: boolean) => (fan: { id: string }) =>
          stores().writer.setFavorite(fan.id, article.id, active, version);
        await Promise.all(fans.map(favourite(1, true)));
        expect((await stores().articles.findBySlug(article.slug))?.favoritesCount).toBe(20);
        await Promise.all(fans.map(favourite(1, true)));
        expect((await stores().articles.findBySlug(article.slug))?.favoritesCount).toBe(20);
        await Promise.all([...fans.slice(0, 8).map(favourite(2, false)), ...fans.slice(8).map(favourite(1, true))]);
        expect((await stores().articles.findBySlug(article.slug))?.favoritesCount).toBe(12);
      });

      it('refuses a favourite of an article not projected yet, so that it is retried, and applies the retry', async () => {
        // With several projector processes an ArticleFavorited can overtake its ArticlePublished.
        const [author, fan] = await givenUsers(stores(), 2);
        const early = anArticle(author!);
        await expect(stores().writer.setFavorite(fan!.id, early.id, true, 1)).rejects.toThrow();
        expect((await stores().relationships.favoritedAmong(fan!.id, [early.id])).size).toBe(0);

        await stores().writer.upsertArticle(early);
        await stores().writer.setFavorite(fan!.id, early.id, true, 1);
        expect([...(await stores().relationships.favoritedAmong(fan!.id, [early.id]))]).toEqual([early.id]);
        expect((await stores().articles.findBySlug(early.slug))?.favoritesCount).toBe(1);
      });

      it('drops a favourite of a deleted article silently, whether it was ever projected or not', async () => {
        const [author, fan] = await givenUsers(stores(), 2);
        const article = await givenArticle(stores(), author!);
        await stores().writer.deleteArticle(article.id, 2);
        // Deleted before this projector ever saw it: the deletion alone leaves the tombstone.
        const neverSeen = newId();
        await stores().writer.deleteArticle(neverSeen, 2);

        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        await stores().writer.setFavorite(fan!.id, neverSeen, true, 1);
        expect((await stores().relationships.favoritedAmong(fan!.id, [article.id, neverSeen])).size).toBe(0);
        expect(await stores().articles.list({ favoritedByKey: fan!.username }, PAGE)).toEqual({ items: [], total: 0 });
      });
    });

    describe('comments', () => {
      it('adds a comment once: a repeated event keeps the first copy', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        const comment = aComment(article, author!, { body: 'first' });
        await stores().writer.addComment(comment);
        await stores().writer.addComment({ ...comment, body: 'second' });
        expect((await stores().comments.listByArticle(article.id)).map((c) => c.body)).toEqual(['first']);
      });

      it('deletes a comment, idempotently', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        const kept = aComment(article, author!);
        const removed = aComment(article, author!);
        for (const c of [kept, removed]) await stores().writer.addComment(c);
        await stores().writer.deleteComment(removed.id);
        await stores().writer.deleteComment(removed.id);
        await stores().writer.deleteComment(987654);
        expect(await commentOf(stores(), removed)).toBeNull();
        expect((await stores().comments.listByArticle(article.id)).map((c) => c.id)).toEqual([kept.id]);
      });

      it('keeps a deleted comment deleted when its CommentAdded comes again (late or replayed)', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        const comment = aComment(article, author!);
        await stores().writer.addComment(comment);
        await stores().writer.deleteComment(comment.id);
        await stores().writer.addComment(comment);
        expect(await commentOf(stores(), comment)).toBeNull();
        expect(await stores().comments.listByArticle(article.id)).toEqual([]);
      });

      it('refuses a comment on an article not projected yet, so that it is retried, and applies the retry', async () => {
        // With several projector processes a CommentAdded can overtake its ArticlePublished.
        const [author] = await givenUsers(stores(), 1);
        const early = anArticle(author!);
        const comment = aComment(early, author!);
        await expect(stores().writer.addComment(comment)).rejects.toThrow();
        expect(await commentOf(stores(), comment)).toBeNull();

        await stores().writer.upsertArticle(early);
        await stores().writer.addComment(comment);
        expect((await stores().comments.listByArticle(early.id)).map((c) => c.id)).toEqual([comment.id]);
      });

      it('drops a comment on a deleted article silently, whether it was ever projected or not', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        await stores().writer.deleteArticle(article.id, 2);
        const neverSeen = { id: newId() };
        await stores().writer.deleteArticle(neverSeen.id, 2);

        const late = aComment(article, author!);
        const orphan = aComment(neverSeen, author!);
        await stores().writer.addComment(late);
        await stores().writer.addComment(orphan);
        expect(await commentOf(stores(), late)).toBeNull();
        expect(await commentOf(stores(), orphan)).toBeNull();
        expect(await stores().comments.listByArticle(neverSeen.id)).toEqual([]);
      });

      it('refuses a comment by a user not projected yet', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        await expect(stores().writer.addComment(aComment(article, { id: newId() }))).rejects.toThrow();
        expect(await stores().comments.listByArticle(article.id)).toEqual([]);
      });
    });

    describe('deleteArticle', () => {
      it('removes the article with its comments and favourites and recounts its tags', async () => {
        const [author, fan] = await givenUsers(stores(), 2);
        const doomed = await givenArticle(stores(), author!, { tagList: ['only-here', 'shared'] });
        const kept = await givenArticle(stores(), author!, { tagList: ['shared'] });
        const comment = aComment(doomed, fan!);
        const keptComment = aComment(kept, fan!);
        for (const c of [comment, keptComment]) await stores().writer.addComment(c);
        await stores().writer.setFavorite(fan!.id, doomed.id, true, 1);
        await stores().writer.setFavorite(fan!.id, kept.id, true, 1);

        await stores().writer.deleteArticle(doomed.id, 2);

        expect(await stores().articles.findBySlug(doomed.slug)).toBeNull();
        expect(slugs(await stores().articles.list({}, PAGE))).toEqual([kept.slug]);
        expect(await commentOf(stores(), comment)).toBeNull();
        expect(await stores().comments.listByArticle(doomed.id)).toEqual([]);
        expect(await commentOf(stores(), keptComment)).not.toBeNull();
        expect([...(await stores().relationships.favoritedAmong(fan!.id, [doomed.id, kept.id]))]).toEqual([kept.id]);
        expect(slugs(await stores().articles.list({ favoritedByKey: fan!.username }, PAGE))).toEqual([kept.slug]);
        expect(await stores().articles.tags()).toEqual(['shared']);
        expect((await stores().articles.list({ tag: 'only-here' }, PAGE)).total).toBe(0);
      });

      it('is final: replayed or late events of the deleted article do not bring it back', async () => {
        const [author, fan] = await givenUsers(stores(), 2);
        const article = await givenArticle(stores(), author!, { tagList: ['gone'] });
        await stores().writer.upsertArticle({ ...article, title: 'updated', version: 2 });
        await stores().writer.deleteArticle(article.id, 3);
        await stores().writer.deleteArticle(article.id, 3);
        await stores().writer.upsertArticle(article);
        await stores().writer.upsertArticle({ ...article, version: 2 });
        await stores().writer.setFavorite(fan!.id, article.id, true, 1);
        await stores().writer.addComment(aComment(article, fan!));
        expect(await stores().articles.findBySlug(article.slug)).toBeNull();
        expect(await stores().articles.list({}, PAGE)).toEqual({ items: [], total: 0 });
        expect(await stores().articles.tags()).toEqual([]);
        expect(await stores().comments.listByArticle(article.id)).toEqual([]);
        expect((await stores().relationships.favoritedAmong(fan!.id, [article.id])).size).toBe(0);
      });

      it('ignores a deletion older than the stored article', async () => {
        const [author] = await givenUsers(stores(), 1);
        const article = await givenArticle(stores(), author!);
        await stores().writer.upsertArticle({ ...article, version: 3 });
        await stores().writer.deleteArticle(article.id, 2);
        expect(await stores().articles.findBySlug(article.slug)).not.toBeNull();
      });
    });
  });
}
