import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor, Article, User } from '../../../src/domain/index.js';
import {
  conflictOf,
  drainOutbox,
  minutesAfterT0,
  must,
  newComment,
  pendingEvents,
  saved,
  storedArticle,
  storedUser,
  T0,
  type OpenWriteSide,
  type WriteSide,
} from './write-side.contract.js';

/** The definition of CommentRepository: every adapter of the port passes this suite. */
export function commentRepositoryContract(open: OpenWriteSide): void {
  describe('CommentRepository', () => {
    let w: WriteSide;
    let reader: User;
    let article: Article;
    let actor: Actor;
    beforeEach(async () => {
      w = await open();
      reader = await storedUser(w);
      article = await storedArticle(w, (await storedUser(w)).id);
      actor = { userId: reader.id, role: 'user' };
      await drainOutbox(w);
    });

    it('hands out positive, strictly increasing ids, never the same one twice', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push(await w.comments.nextId());
      ids.push(...(await Promise.all([w.comments.nextId(), w.comments.nextId(), w.comments.nextId()])));

      expect(ids.every((id) => Number.isSafeInteger(id) && id > 0)).toBe(true);
      expect(ids.slice(0, 5)).toEqual([...ids.slice(0, 5)].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(Math.min(...ids.slice(5))).toBeGreaterThan(Math.max(...ids.slice(0, 5)));
    });

    it('stores a comment and finds it by id', async () => {
      const comment = newComment(await w.comments.nextId(), article.id, reader.id, { body: 'Great *read*' });
      await saved(w.comments.save(comment));

      const found = await w.comments.findById(comment.id);
      // Spelt out rather than compared with comment.snapshot(): a fresh comment's snapshot
      // also carries the `now` it was added with, which is not part of its state.
      expect(found?.snapshot()).toEqual({
        id: comment.id,
        articleId: article.id,
        authorId: reader.id,
        body: 'Great *read*',
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
      expect(found?.persistedVersion).toBe(1);
    });

    it('finds nothing for unknown or malformed ids', async () => {
      expect(await w.comments.findById(424242)).toBeNull();
      expect(await w.comments.findById(-1)).toBeNull();
      expect(await w.comments.findById(1.5)).toBeNull();
      expect(await w.comments.findById(Number.MAX_SAFE_INTEGER + 2)).toBeNull();
    });

    it('appends CommentAdded, then CommentDeleted when deleted, and the comment is gone', async () => {
      const id = await w.comments.nextId();
      await saved(w.comments.save(newComment(id, article.id, reader.id, { body: 'First!' })));
      const loaded = (await w.comments.findById(id))!;
      must(loaded.delete(actor, minutesAfterT0(1)));
      await saved(w.comments.save(loaded));

      expect(await w.comments.findById(id)).toBeNull();
      expect((await pendingEvents(w)).map((entry) => entry.event)).toEqual([
        {
          type: 'CommentAdded',
          aggregateType: 'Comment',
          aggregateId: String(id),
          version: 1,
          occurredAt: T0,
          payload: {
            commentId: id,
            articleId: article.id,
            authorId: reader.id,
            body: 'First!',
            createdAt: T0.toISOString(),
          },
        },
        {
          type: 'CommentDeleted',
          aggregateType: 'Comment',
          aggregateId: String(id),
          version: 2,
          occurredAt: minutesAfterT0(1),
          payload: { commentId: id, articleId: article.id, authorId: reader.id },
        },
      ]);
    });

    it('answers CONCURRENT_UPDATE to the second of two deletes, with one CommentDeleted', async () => {
      const id = await w.comments.nextId();
      await saved(w.comments.save(newComment(id, article.id, reader.id)));
      await drainOutbox(w);
      const [a, b] = [(await w.comments.findById(id))!, (await w.comments.findById(id))!];
      must(a.delete(actor, minutesAfterT0(1)));
      must(b.delete(actor, minutesAfterT0(1)));

      await saved(w.comments.save(a));
      expect(await conflictOf(w.comments.save(b))).toBe('CONCURRENT_UPDATE');
      expect((await pendingEvents(w)).map((entry) => entry.event.type)).toEqual(['CommentDeleted']);
    });

    it('answers REFERENCE_GONE for an article that does not exist, writing nothing', async () => {
      const orphan = newComment(await w.comments.nextId(), randomUUID(), reader.id);
      expect(await conflictOf(w.comments.save(orphan))).toBe('REFERENCE_GONE');
      expect(await w.comments.findById(orphan.id)).toBeNull();
      expect(await pendingEvents(w)).toEqual([]);
    });
  });
}
