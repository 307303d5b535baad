import type { DomainEvent } from '../shared/domain-event.js';

/** The article's state after the change; projections copy it whole. */
export interface ArticleSnapshotPayload {
  readonly articleId: string;
  readonly authorId: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ArticlePublished = DomainEvent<'ArticlePublished', ArticleSnapshotPayload>;
export type ArticleUpdated = DomainEvent<'ArticleUpdated', ArticleSnapshotPayload & { readonly previousSlug: string }>;
export type ArticleDeleted = DomainEvent<
  'ArticleDeleted',
  { readonly articleId: string; readonly authorId: string; readonly slug: string; readonly tagList: readonly string[] }
>;
export type ArticleEvent = ArticlePublished | ArticleUpdated | ArticleDeleted;
