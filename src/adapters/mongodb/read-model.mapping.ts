import type {
  ArticleReadModel,
  ArticleSummaryReadModel,
  AuthorReadModel,
  CommentReadModel,
} from '../../application/read-side/read-models.js';
import type { ArticleDocument, CommentDocument, EmbeddedAuthor } from './read-model.documents.js';

/**
 * Documents to the shapes the ports return. Fields are copied one by one, so bookkeeping
 * fields (versions, recount stamps) never leak into a response, and timestamps leave as
 * ISO-8601 with milliseconds and `Z`.
 */
const toAuthor = (author: EmbeddedAuthor): AuthorReadModel => ({
  id: author.id,
  username: author.username,
  bio: author.bio ?? null,
  image: author.image ?? null,
});

/** What a list reads of an article: everything but the body and the bookkeeping. */
export const SUMMARY_PROJECTION = {
  _id: 1,
  slug: 1,
  title: 1,
  description: 1,
  tagList: 1,
  createdAt: 1,
  updatedAt: 1,
  favoritesCount: 1,
  author: 1,
} as const;

export type SummaryDocument = Pick<ArticleDocument, keyof typeof SUMMARY_PROJECTION>;

export const toSummary = (doc: SummaryDocument): ArticleSummaryReadModel => ({
  id: doc._id,
  slug: doc.slug,
  title: doc.title,
  description: doc.description,
  tagList: [...doc.tagList],
  createdAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
  favoritesCount: doc.favoritesCount,
  author: toAuthor(doc.author),
});

export const ARTICLE_PROJECTION = { ...SUMMARY_PROJECTION, body: 1 } as const;

export const toArticle = (doc: SummaryDocument & Pick<ArticleDocument, 'body'>): ArticleReadModel => ({
  ...toSummary(doc),
  body: doc.body,
});

export const COMMENT_PROJECTION = { _id: 1, articleId: 1, body: 1, createdAt: 1, author: 1 } as const;

/** Comments are never edited: `updatedAt` is `createdAt`. */
export const toComment = (doc: Pick<CommentDocument, keyof typeof COMMENT_PROJECTION>): CommentReadModel => {
  const createdAt = doc.createdAt.toISOString();
  return {
    id: doc._id,
    articleId: doc.articleId,
    body: doc.body,
    createdAt,
    updatedAt: createdAt,
    author: toAuthor(doc.author),
  };
};
