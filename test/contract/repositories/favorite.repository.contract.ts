import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { Favorite, type Article, type User } from '../../../src/domain/index.js';
import {
  conflictOf,
  drainOutbox,
  must,
  minutesAfterT0,
  newFavorite,
  pendingEvents,
  pendingSummary,
  saved,
  storedArticle,
  storedUser,
  T0,
  type OpenWriteSide,
  type WriteSide,
} from './write-side.contract.js';

/** The definition of FavoriteRepository: every adapter of the port passes this suite. */
export function favoriteRepositoryContract(open: OpenWriteSide): void {
  describe('FavoriteRepository', () => {
    let w: WriteSide;
    let reader: User;
    let article: Article;
    beforeEach(async () => {
      w = await open();
      const author = await storedUser(w);
      reader = await storedUser(w);
      article = await storedArticle(w, author.id);
      await drainOutbox(w);
    });

    it('stores a favourite and finds it by (user, article), with the article\'s count', async () => {
      const favorite = newFavorite(reader.id, article.id);
      expect(must(await w.favorites.save(favorite))).toEqual({ favoritesCount: 1 });

      const found = await w.favorites.find(reader.id, article.id);
      expect(found.favorite?.snapshot()).toEqual(favorite.snapshot());
      expect(found.favorite?.snapshot()).toMatchObject({ active: true, version: 1 });
      expect(found.favoritesCount).toBe(1);
      expect(await w.favorites.find(article.authorId, article.id)).toEqual({ favorite: null, favoritesCount: 1 });
      expect(await w.favorites.find('not-a-uuid', article.id)).toEqual({ favorite: null, favoritesCount: 1 });
      expect(await w.favorites.find(reader.id, 'not-a-uuid')).toEqual({ favorite: null, favoritesCount: 0 });
    });

    it('keeps the article\'s favourites count exact under concurrent switches of many users', async () => {
      const fans = await Promise.all(Array.from({ length: 8 }, () => storedUser(w)));
      const counts = await Promise.all(fans.map(async (fan) => must(await w.favorites.save(newFavorite(fan.id, article.id)))));
      // Each answer counts its own favourite and those committed before it; concurrent ones may be missing from it.
      for (const { favoritesCount } of counts) {
        expect(favoritesCount).toBeGreaterThanOrEqual(1);
        expect(favoritesCount).toBeLessThanOrEqual(8);
      }
      expect((await w.favorites.find(reader.id, article.id)).favoritesCount).toBe(8);
      for (const fan of fans.slice(0, 3)) {
        const loaded = (await w.favorites.find(fan.id, article.id)).favorite!;
        loaded.switchTo(false, minutesAfterT0(1));
        await saved(w.favorites.save(loaded));
      }
      expect((await w.favorites.find(reader.id, article.id)).favoritesCount).toBe(5);
    });

    it('answers the count after its own switch when nothing runs beside it, whichever users switch', async () => {
      const fans = await Promise.all(Array.from({ length: 20 }, () => storedUser(w)));
      const answers: number[] = [];
      for (const fan of fans) answers.push(must(await w.favorites.save(newFavorite(fan.id, article.id))).favoritesCount);
      expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const fan of fans.slice(0, 5)) {
        const loaded = (await w.favorites.find(fan.id, article.id)).favorite!;
        loaded.switchTo(false, minutesAfterT0(1));
        answers.push(must(await w.favorites.save(loaded)).favoritesCount);
      }
      expect(answers.slice(20)).toEqual([19, 18, 17, 16, 15]);
      expect((await w.favorites.find(fans[0]!.id, article.id)).favoritesCount).toBe(15);
    });

    it('keeps the pair when unfavourited, and appends ArticleFavorited then ArticleUnfavorited', async () => {
      await saved(w.favorites.save(newFavorite(reader.id, article.id)));
      const loaded = (await w.favorites.find(reader.id, article.id)).favorite!;
      loaded.switchTo(false, minutesAfterT0(2));
      expect(must(await w.favorites.save(loaded))).toEqual({ favoritesCount: 0 });

      expect((await w.favorites.find(reader.id, article.id)).favorite?.snapshot()).toEqual({
        userId: reader.id,
        articleId: article.id,
        active: false,
        version: 2,
        updatedAt: minutesAfterT0(2),
      });
      const payload = { userId: reader.id, articleId: article.id };
      const aggregateId = `${reader.id}:${article.id}`;
      expect((await pendingEvents(w)).map((entry) => entry.event)).toEqual([
        { type: 'ArticleFavorited', aggregateType: 'Favorite', aggregateId, version: 1, occurredAt: T0, payload },
        {
          type: 'ArticleUnfavorited',
          aggregateType: 'Favorite',
          aggregateId,
          version: 2,
          occurredAt: minutesAfterT0(2),
          payload,
        },
      ]);
    });

    it('refuses the second of two new favourites of the same pair as a lost race, one event', async () => {
      const results = await Promise.all([
        w.favorites.save(newFavorite(reader.id, article.id)),
        w.favorites.save(newFavorite(reader.id, article.id, minutesAfterT0(1))),
      ]);

      expect(results.filter((result) => result.isOk())).toHaveLength(1);
      expect(results.find((result) => result.isErr())?.error).toMatchObject({ code: 'CONCURRENT_UPDATE' });
      expect((await w.favorites.find(reader.id, article.id)).favoritesCount).toBe(1);
      expect(await pendingSummary(w)).toEqual([`ArticleFavorited ${reader.id}:${article.id} v1`]);
    });

    it('refuses a stale switch: CONCURRENT_UPDATE, nothing written', async () => {
      await saved(w.favorites.save(newFavorite(reader.id, article.id)));
      await drainOutbox(w);
      const load = async () => (await w.favorites.find(reader.id, article.id)).favorite!;
      const [a, b] = [await load(), await load()];
      a.switchTo(false, minutesAfterT0(1));
      b.switchTo(false, minutesAfterT0(2));

      await saved(w.favorites.save(a));
      expect(await conflictOf(w.favorites.save(b))).toBe('CONCURRENT_UPDATE');
      expect((await w.favorites.find(reader.id, article.id)).favorite?.snapshot()).toEqual(a.snapshot());
      expect(await pendingEvents(w)).toHaveLength(1);
    });

    it('does nothing when unfavouriting a pair that was never favourited', async () => {
      const never = Favorite.between(reader.id, article.id, T0);
      never.switchTo(false, T0);

      await saved(w.favorites.save(never));
      expect(await w.favorites.find(reader.id, article.id)).toEqual({ favorite: null, favoritesCount: 0 });
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('answers REFERENCE_GONE for an article that does not exist, writing nothing', async () => {
      const ghost = randomUUID();
      expect(await conflictOf(w.favorites.save(newFavorite(reader.id, ghost)))).toBe('REFERENCE_GONE');
      expect((await w.favorites.find(reader.id, ghost)).favorite).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });
  });
}
