import type { ArticleReadStore } from '../../../src/application/read-side/article.read-store.js';
import type { CommentReadStore } from '../../../src/application/read-side/comment.read-store.js';
import type { ReadModelChange } from '../../../src/application/read-side/read-model-changes.js';
import type { ReadModelWriter } from '../../../src/application/read-side/read-model.writer.js';
import type { RelationshipReadStore } from '../../../src/application/read-side/relationship.read-store.js';
import type { UserReadStore } from '../../../src/application/read-side/user.read-store.js';

/** A user as the tests write it (the fields of a UserRegistered/UserUpdated payload, and its version). */
export interface UserFixture {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly bio: string | null;
  readonly image: string | null;
  readonly version: number;
}

export interface ArticleFixture {
  readonly id: string;
  readonly authorId: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly body: string;
  readonly tagList: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface CommentFixture {
  readonly id: number;
  readonly articleId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
}

/**
 * The tests' way to write read models: one method per change, each one `apply` of the real
 * writer (`port`) with exactly the change a projection would make.
 */
export class FixtureWriter {
  /** Comment deletions name the article; the fixtures remember it from the addition. */
  private readonly articleOfComment = new Map<number, string>();

  constructor(readonly port: ReadModelWriter) {}

  apply(...changes: ReadModelChange[]): Promise<void> {
    return this.port.apply(changes);
  }

  upsertUser(user: UserFixture): Promise<void> {
    const { id, version, ...fields } = user;
    return this.apply({ kind: 'user', user: { userId: id, ...fields }, version });
  }

  upsertArticle(article: ArticleFixture): Promise<void> {
    const { id, version, ...fields } = article;
    return this.apply({ kind: 'article', article: { articleId: id, ...fields }, version });
  }

  deleteArticle(articleId: string, version: number): Promise<void> {
    return this.apply({ kind: 'article-deleted', articleId, version });
  }

  setFollow(followerId: string, followeeId: string, active: boolean, version: number): Promise<void> {
    return this.apply({ kind: 'follow', pair: { followerId, followeeId }, active, version });
  }

  setFavorite(userId: string, articleId: string, active: boolean, version: number): Promise<void> {
    return this.apply({ kind: 'favorite', pair: { userId, articleId }, active, version });
  }

  addComment(comment: CommentFixture): Promise<void> {
    this.articleOfComment.set(comment.id, comment.articleId);
    const { id, ...fields } = comment;
    return this.apply({ kind: 'comment', comment: { commentId: id, ...fields } });
  }

  deleteComment(commentId: number, articleId?: string): Promise<void> {
    const of = articleId ?? this.articleOfComment.get(commentId) ?? '';
    return this.apply({ kind: 'comment-deleted', commentId, articleId: of });
  }
}

/** One adapter family's read side: the writer the projections use and the stores queries use. */
export interface ReadStores {
  readonly writer: FixtureWriter;
  readonly users: UserReadStore;
  readonly articles: ArticleReadStore;
  readonly comments: CommentReadStore;
  readonly relationships: RelationshipReadStore;
}

/** The ports of one read side, as a store's test file wires them. */
export interface ReadSidePorts {
  readonly writer: ReadModelWriter;
  readonly users: UserReadStore;
  readonly articles: ArticleReadStore;
  readonly comments: CommentReadStore;
  readonly relationships: RelationshipReadStore;
}

export const readStoresOf = (ports: ReadSidePorts): ReadStores => ({ ...ports, writer: new FixtureWriter(ports.writer) });

/** Gives stores over an empty read model; the suites call it before every test. */
export type ReadStoresFactory = () => Promise<ReadStores>;

let sequence = 0;
const next = (): number => ++sequence;

/** UUID-shaped, and increasing: a later id sorts after an earlier one. */
export const newId = (): string => `00000000-0000-4000-8000-${String(next()).padStart(12, '0')}`;

/** A moment on a fixed day, `minute` minutes after midnight UTC, in the ISO form stores return. */
export const at = (minute: number): string => new Date(Date.UTC(2026, 0, 2, 0, minute, 0, 678)).toISOString();

export const aUser = (overrides: Partial<UserFixture> = {}): UserFixture => {
  const n = next();
  const username = overrides.username ?? `user${n}`;
  return {
    id: newId(),
    username,
    email: `${username.toLowerCase()}@example.com`,
    bio: null,
    image: null,
    version: 1,
    ...overrides,
  };
};

/** Each new article is one minute newer than the previous one unless told otherwise. */
export const anArticle = (author: { readonly id: string }, overrides: Partial<ArticleFixture> = {}): ArticleFixture => {
  const n = next();
  const createdAt = overrides.createdAt ?? at(n);
  return {
    id: newId(),
    authorId: author.id,
    slug: `article-${n}`,
    title: `Article ${n}`,
    description: `About ${n}`,
    body: `The body of ${n}`,
    tagList: [],
    createdAt,
    updatedAt: createdAt,
    version: 1,
    ...overrides,
  };
};

export const aComment = (
  article: { readonly id: string },
  author: { readonly id: string },
  overrides: Partial<CommentFixture> = {},
): CommentFixture => {
  const n = next();
  return { id: n, articleId: article.id, authorId: author.id, body: `Comment ${n}`, createdAt: at(n), ...overrides };
};

export async function givenUsers(stores: ReadStores, count: number): Promise<UserFixture[]> {
  const users = Array.from({ length: count }, () => aUser());
  for (const user of users) await stores.writer.upsertUser(user);
  return users;
}

export async function givenArticle(
  stores: ReadStores,
  author: { readonly id: string },
  overrides: Partial<ArticleFixture> = {},
): Promise<ArticleFixture> {
  const article = anArticle(author, overrides);
  await stores.writer.upsertArticle(article);
  return article;
}

export const slugs = (page: { readonly items: readonly { readonly slug: string }[] }): string[] =>
  page.items.map((a) => a.slug);
