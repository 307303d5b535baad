import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArticleEdit, parseTagList, type Actor, type User } from '../../../src/domain/index.js';
import {
  conflictOf,
  drainOutbox,
  minutesAfterT0,
  must,
  newArticle,
  newComment,
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

const noSlugClash = { baseTaken: false, uniqueSuffix: 'unused' };

/** The definition of ArticleRepository: every adapter of the port passes this suite. */
export function articleRepositoryContract(open: OpenWriteSide): void {
  describe('ArticleRepository', () => {
    let w: WriteSide;
    let author: User;
    let actor: Actor;
    beforeEach(async () => {
      w = await open();
      author = await storedUser(w);
      actor = { userId: author.id, role: 'user' };
      await drainOutbox(w);
    });

    it('stores a published article and finds it by slug and by id', async () => {
      const article = newArticle(author.id, { title: 'How to Train Your Dragon' });
      await saved(w.articles.save(article));

      expect(article.slug).toBe('how-to-train-your-dragon');
      for (const found of [await w.articles.findBySlug(article.slug), await w.articles.findById(article.id)]) {
        expect(found?.snapshot()).toEqual(article.snapshot());
        expect(found?.persistedVersion).toBe(1);
        expect(found?.isDeleted).toBe(false);
      }
    });

    it('keeps every tag exactly, including ones that look like SQL array syntax', async () => {
      const tagList = must(parseTagList(['null', 'a,b', 'q"uote', 'back\\slash', '{brace}', 'two words', 'ünïcödé']));
      const tagged = await storedArticle(w, author.id, { tagList });
      const untagged = await storedArticle(w, author.id, { tagList: [] });

      expect((await w.articles.findById(tagged.id))?.snapshot().tagList).toEqual(tagList);
      expect((await w.articles.findById(untagged.id))?.snapshot().tagList).toEqual([]);
    });

    it('finds nothing for unknown or malformed keys', async () => {
      await storedArticle(w, author.id);
      expect(await w.articles.findBySlug('no-such-article')).toBeNull();
      expect(await w.articles.findById(randomUUID())).toBeNull();
      expect(await w.articles.findById('not-a-uuid')).toBeNull();
    });

    it('appends ArticlePublished, then ArticleUpdated with the previous slug', async () => {
      const article = await storedArticle(w, author.id, { title: 'First title', tagList: ['x'] });
      const loaded = (await w.articles.findBySlug('first-title'))!;
      must(loaded.edit(actor, must(ArticleEdit.parse({ title: 'Second title', body: 'New body' })), noSlugClash, minutesAfterT0(4)));
      await saved(w.articles.save(loaded));

      const published = {
        articleId: article.id,
        authorId: author.id,
        slug: 'first-title',
        title: 'First title',
        description: 'Ever wonder how?',
        body: 'You have to believe.',
        tagList: ['x'],
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
      };
      expect((await pendingEvents(w)).map((entry) => entry.event)).toEqual([
        {
          type: 'ArticlePublished',
          aggregateType: 'Article',
          aggregateId: article.id,
          version: 1,
          occurredAt: T0,
          payload: published,
        },
        {
          type: 'ArticleUpdated',
          aggregateType: 'Article',
          aggregateId: article.id,
          version: 2,
          occurredAt: minutesAfterT0(4),
          payload: {
            ...published,
            slug: 'second-title',
            title: 'Second title',
            body: 'New body',
            updatedAt: minutesAfterT0(4).toISOString(),
            previousSlug: 'first-title',
          },
        },
      ]);
    });

    it('stores an edit under the new slug and frees the old one', async () => {
      const article = await storedArticle(w, author.id, { title: 'Old name' });
      const loaded = (await w.articles.findById(article.id))!;
      must(loaded.edit(actor, must(ArticleEdit.parse({ title: 'New name', tagList: ['b', 'c'] })), noSlugClash, minutesAfterT0(1)));
      await saved(w.articles.save(loaded));

      expect((await w.articles.findBySlug('new-name'))?.snapshot()).toEqual(loaded.snapshot());
      expect(await w.articles.findBySlug('old-name')).toBeNull();
    });

    it('refuses a slug another article holds: ARTICLE.SLUG_TAKEN, nothing written', async () => {
      await storedArticle(w, author.id, { title: 'Same title' });
      await drainOutbox(w);
      const rival = newArticle(author.id, { title: 'Same title' });

      expect(await conflictOf(w.articles.save(rival))).toBe('ARTICLE.SLUG_TAKEN');
      expect(await w.articles.findById(rival.id)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('refuses a stale edit: CONCURRENT_UPDATE, the first writer wins, no event for the loser', async () => {
      const article = await storedArticle(w, author.id);
      await drainOutbox(w);
      const [a, b] = [(await w.articles.findById(article.id))!, (await w.articles.findById(article.id))!];
      must(a.edit(actor, must(ArticleEdit.parse({ body: 'from a' })), noSlugClash, minutesAfterT0(1)));
      must(b.edit(actor, must(ArticleEdit.parse({ body: 'from b' })), noSlugClash, minutesAfterT0(2)));

      await saved(w.articles.save(a));
      expect(await conflictOf(w.articles.save(b))).toBe('CONCURRENT_UPDATE');
      expect((await w.articles.findById(article.id))?.snapshot()).toEqual(a.snapshot());
      expect(await pendingSummary(w)).toEqual([`ArticleUpdated ${article.id} v2`]);
    });

    it('deletes an article with its comments and favourites, appending ArticleDeleted', async () => {
      const reader = await storedUser(w);
      const article = await storedArticle(w, author.id, { title: 'Doomed', tagList: ['t'] });
      const kept = await storedArticle(w, author.id, { title: 'Kept' });
      const [doomedComment, keptComment] = [
        newComment(await w.comments.nextId(), article.id, reader.id),
        newComment(await w.comments.nextId(), kept.id, reader.id),
      ];
      await saved(w.comments.save(doomedComment));
      await saved(w.comments.save(keptComment));
      await saved(w.favorites.save(newFavorite(reader.id, article.id)));
      await saved(w.favorites.save(newFavorite(reader.id, kept.id)));
      await drainOutbox(w);

      const loaded = (await w.articles.findBySlug('doomed'))!;
      must(loaded.delete(actor, minutesAfterT0(9)));
      await saved(w.articles.save(loaded));

      expect(await w.articles.findBySlug('doomed')).toBeNull();
      expect(await w.articles.findById(article.id)).toBeNull();
      expect(await w.comments.findById(doomedComment.id)).toBeNull();
      expect((await w.favorites.find(reader.id, article.id)).favorite).toBeNull();
      expect(await w.comments.findById(keptComment.id)).not.toBeNull();
      expect((await w.favorites.find(reader.id, kept.id)).favorite).not.toBeNull();
      expect((await pendingEvents(w)).map((entry) => entry.event)).toEqual([
        {
          type: 'ArticleDeleted',
          aggregateType: 'Article',
          aggregateId: article.id,
          version: 2,
          occurredAt: minutesAfterT0(9),
          payload: { articleId: article.id, authorId: author.id, slug: 'doomed', tagList: ['t'] },
        },
      ]);
    });

    it('refuses to delete an article edited since it was loaded, keeping it and its comments', async () => {
      const article = await storedArticle(w, author.id);
      const comment = newComment(await w.comments.nextId(), article.id, author.id);
      await saved(w.comments.save(comment));
      const [editor, deleter] = [(await w.articles.findById(article.id))!, (await w.articles.findById(article.id))!];
      must(editor.edit(actor, must(ArticleEdit.parse({ body: 'edited' })), noSlugClash, minutesAfterT0(1)));
      await saved(w.articles.save(editor));
      await drainOutbox(w);

      must(deleter.delete(actor, minutesAfterT0(2)));
      expect(await conflictOf(w.articles.save(deleter))).toBe('CONCURRENT_UPDATE');
      expect((await w.articles.findById(article.id))?.snapshot()).toEqual(editor.snapshot());
      expect(await w.comments.findById(comment.id)).not.toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });

    it('answers CONCURRENT_UPDATE to the second of two deletes', async () => {
      const article = await storedArticle(w, author.id);
      const [a, b] = [(await w.articles.findById(article.id))!, (await w.articles.findById(article.id))!];
      must(a.delete(actor, minutesAfterT0(1)));
      must(b.delete(actor, minutesAfterT0(1)));

      await saved(w.articles.save(a));
      expect(await conflictOf(w.articles.save(b))).toBe('CONCURRENT_UPDATE');
    });

    it('does nothing for an edit that changes nothing', async () => {
      const article = await storedArticle(w, author.id);
      await drainOutbox(w);
      const loaded = (await w.articles.findById(article.id))!;
      const same = article.snapshot();
      must(loaded.edit(actor, must(ArticleEdit.parse({ title: same.title, body: same.body })), noSlugClash, minutesAfterT0(1)));

      await saved(w.articles.save(loaded));
      expect(await pendingEvents(w)).toEqual([]);
      expect((await w.articles.findById(article.id))?.snapshot()).toEqual(article.snapshot());
    });

    it('answers REFERENCE_GONE for an author that does not exist, writing nothing', async () => {
      const orphan = newArticle(randomUUID());
      expect(await conflictOf(w.articles.save(orphan))).toBe('REFERENCE_GONE');
      expect(await w.articles.findById(orphan.id)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });
  });
}
