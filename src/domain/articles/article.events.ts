import type { DomainEvent } from '../shared/domain-event.js';
import type { ArticleContent } from './article-draft.js';

/** The article's state after the change; projections copy it whole. */
export interface ArticleSnapshotPayload extends ArticleContent {
  readonly articleId: string;
  readonly authorId: string;
  readonly slug: string;
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
