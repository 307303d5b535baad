import type { ConduitEvent, ConduitEventType } from '../../../src/domain/index.js';

/**
 * One domain event of every type, with fixed values: docs/events.md shows exactly what
 * these map to, and a test holds the two together.
 */
const AT = new Date('2026-03-01T12:00:00.000Z');
const JAKE = '0195a1b2-0000-7000-8000-00000000a001';
const CELEB = '0195a1b2-0000-7000-8000-00000000a002';
const ARTICLE = '0195a1b2-0000-7000-8000-00000000b001';

const article = {
  articleId: ARTICLE,
  authorId: CELEB,
  slug: 'how-to-train-your-dragon',
  title: 'How to train your dragon',
  description: 'Ever wonder how?',
  body: 'You have to believe.',
  tagList: ['dragons', 'training'],
  createdAt: AT.toISOString(),
  updatedAt: AT.toISOString(),
};

const jakeProfile = { userId: JAKE, username: 'jake', email: 'jake@example.com', bio: null, image: null };

export const SAMPLE_EVENTS: { readonly [T in ConduitEventType]: Extract<ConduitEvent, { type: T }> } = {
  UserRoleGranted: {
    type: 'UserRoleGranted',
    aggregateType: 'User',
    aggregateId: JAKE,
    version: 3,
    occurredAt: AT,
    payload: { ...jakeProfile, role: 'admin', changedBy: { kind: 'operator' } },
  },
  UserRoleRevoked: {
    type: 'UserRoleRevoked',
    aggregateType: 'User',
    aggregateId: JAKE,
    version: 4,
    occurredAt: AT,
    payload: { ...jakeProfile, role: 'user', previousRole: 'admin', changedBy: { kind: 'user', userId: CELEB } },
  },
  UserTokensRevoked: {
    type: 'UserTokensRevoked',
    aggregateType: 'User',
    aggregateId: JAKE,
    version: 5,
    occurredAt: AT,
    payload: { ...jakeProfile, validFrom: AT.toISOString() },
  },
  UserRegistered: {
    type: 'UserRegistered',
    aggregateType: 'User',
    aggregateId: JAKE,
    version: 1,
    occurredAt: AT,
    payload: { userId: JAKE, username: 'jake', email: 'jake@example.com', bio: null, image: null },
  },
  UserUpdated: {
    type: 'UserUpdated',
    aggregateType: 'User',
    aggregateId: JAKE,
    version: 2,
    occurredAt: AT,
    payload: {
      userId: JAKE,
      username: 'jacob',
      email: 'jacob@example.com',
      bio: 'I work at statefarm',
      image: 'https://example.com/jacob.png',
      previousUsername: 'jake',
    },
  },
  UserFollowed: {
    type: 'UserFollowed',
    aggregateType: 'Follow',
    aggregateId: `${JAKE}:${CELEB}`,
    version: 1,
    occurredAt: AT,
    payload: { followerId: JAKE, followeeId: CELEB },
  },
  UserUnfollowed: {
    type: 'UserUnfollowed',
    aggregateType: 'Follow',
    aggregateId: `${JAKE}:${CELEB}`,
    version: 2,
    occurredAt: AT,
    payload: { followerId: JAKE, followeeId: CELEB },
  },
  ArticlePublished: {
    type: 'ArticlePublished',
    aggregateType: 'Article',
    aggregateId: ARTICLE,
    version: 1,
    occurredAt: AT,
    payload: article,
  },
  ArticleUpdated: {
    type: 'ArticleUpdated',
    aggregateType: 'Article',
    aggregateId: ARTICLE,
    version: 2,
    occurredAt: AT,
    payload: {
      ...article,
      slug: 'how-to-train-your-dragon-2',
      title: 'How to train your dragon 2',
      previousSlug: 'how-to-train-your-dragon',
    },
  },
  ArticleDeleted: {
    type: 'ArticleDeleted',
    aggregateType: 'Article',
    aggregateId: ARTICLE,
    version: 3,
    occurredAt: AT,
    payload: { articleId: ARTICLE, authorId: CELEB, slug: 'how-to-train-your-dragon-2', tagList: ['dragons', 'training'] },
  },
  ArticleFavorited: {
    type: 'ArticleFavorited',
    aggregateType: 'Favorite',
    aggregateId: `${JAKE}:${ARTICLE}`,
    version: 1,
    occurredAt: AT,
    payload: { userId: JAKE, articleId: ARTICLE },
  },
  ArticleUnfavorited: {
    type: 'ArticleUnfavorited',
    aggregateType: 'Favorite',
    aggregateId: `${JAKE}:${ARTICLE}`,
    version: 2,
    occurredAt: AT,
    payload: { userId: JAKE, articleId: ARTICLE },
  },
  CommentAdded: {
    type: 'CommentAdded',
    aggregateType: 'Comment',
    aggregateId: '42',
    version: 1,
    occurredAt: AT,
    payload: { commentId: 42, articleId: ARTICLE, authorId: JAKE, body: 'It takes a Jacobian', createdAt: AT.toISOString() },
  },
  CommentDeleted: {
    type: 'CommentDeleted',
    aggregateType: 'Comment',
    aggregateId: '42',
    version: 2,
    occurredAt: AT,
    payload: { commentId: 42, articleId: ARTICLE, authorId: JAKE },
  },
};
