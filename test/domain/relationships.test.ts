import { describe, expect, it } from 'vitest';
import { Comment, Favorite, Follow, parseCommentBody } from '../../src/domain/index.js';

const now = new Date('2026-01-01T00:00:00.000Z');

describe('Follow', () => {
  it('refuses following oneself', () => {
    const result = Follow.between('u1', 'u1', now);
    expect(result.isErr() && result.error).toMatchObject({ kind: 'validation', code: 'FOLLOW.SELF' });
  });

  it('is idempotent both ways and versions every real switch', () => {
    const follow = Follow.between('u1', 'u2', now).unwrap();
    follow.switchTo(true, now);
    follow.switchTo(true, now);
    follow.switchTo(false, now);
    follow.switchTo(false, now);
    follow.switchTo(true, now);
    const events = follow.pullEvents();
    expect(events.map((e) => [e.type, e.version])).toEqual([
      ['UserFollowed', 1],
      ['UserUnfollowed', 2],
      ['UserFollowed', 3],
    ]);
    expect(events[0]).toMatchObject({ aggregateId: 'u1:u2', payload: { followerId: 'u1', followeeId: 'u2' } });
    expect(follow.active).toBe(true);
  });

  it('unfollowing a stranger records nothing', () => {
    const follow = Follow.between('u1', 'u2', now).unwrap();
    follow.switchTo(false, now);
    expect(follow.pullEvents()).toHaveLength(0);
  });
});

describe('Favorite', () => {
  it('is idempotent and versioned', () => {
    const favorite = Favorite.between('u1', 'a1', now);
    favorite.switchTo(true, now);
    favorite.switchTo(true, now);
    favorite.switchTo(false, now);
    expect(favorite.pullEvents().map((e) => [e.type, e.version])).toEqual([
      ['ArticleFavorited', 1],
      ['ArticleUnfavorited', 2],
    ]);
    const copy = Favorite.rehydrate(favorite.snapshot());
    expect(copy.active).toBe(false);
    expect(copy.version).toBe(2);
  });
});

describe('Comment', () => {
  it('needs a non-blank, bounded body', () => {
    expect(parseCommentBody('  ').isErr()).toBe(true);
    expect(parseCommentBody('x'.repeat(10_001)).isErr()).toBe(true);
    expect(parseCommentBody(' Thank you so much! ').unwrap()).toBe('Thank you so much!');
  });

  it('records CommentAdded and is deleted only by its author or an admin', () => {
    const comment = Comment.add({ id: 7, articleId: 'a1', authorId: 'u1', body: 'hi', now });
    expect(comment.pullEvents()[0]).toMatchObject({ type: 'CommentAdded', aggregateId: '7', payload: { commentId: 7, body: 'hi' } });
    const refused = comment.delete({ userId: 'u2', role: 'user' }, now);
    expect(refused.isErr() && refused.error).toMatchObject({ kind: 'forbidden', code: 'COMMENT.NOT_AUTHOR' });
    expect(comment.delete({ userId: 'mod', role: 'admin' }, now).isOk()).toBe(true);
    expect(comment.isDeleted).toBe(true);
    expect(comment.pullEvents()[0]).toMatchObject({ type: 'CommentDeleted', version: 2 });
  });
});
