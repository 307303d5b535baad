import type { ArticleReadStore } from '../../../src/application/articles/article.read-store.js';
import type { CommentReadStore } from '../../../src/application/comments/comment.read-store.js';
import type { RelationshipReadStore } from '../../../src/application/profiles/relationship.read-store.js';
import type {
  ArticleRecord,
  CommentRecord,
  ReadModelWriter,
  UserRecord,
} from '../../../src/application/projections/read-model.writer.js';
import type { UserReadStore } from '../../../src/application/users/user.read-store.js';

/** One adapter family's read side: the writer the projections use and the stores queries use. */
export interface ReadStores {
  readonly writer: ReadModelWriter;
  readonly users: UserReadStore;
  readonly articles: ArticleReadStore;
  readonly comments: CommentReadStore;
  readonly relationships: RelationshipReadStore;
}

/** Gives stores over an empty read model; the suites call it before every test. */
export type ReadStoresFactory = () => Promise<ReadStores>;

let sequence = 0;
const next = (): number => ++sequence;

/** UUID-shaped, and increasing: a later id sorts after an earlier one. */
export const newId = (): string => `00000000-0000-4000-8000-${String(next()).padStart(12, '0')}`;

/** A moment on a fixed day, `minute` minutes after midnight UTC, in the ISO form stores return. */
export const at = (minute: number): string => new Date(Date.UTC(2026, 0, 2, 0, minute, 0, 678)).toISOString();

export const aUser = (overrides: Partial<UserRecord> = {}): UserRecord => {
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
export const anArticle = (author: { readonly id: string }, overrides: Partial<ArticleRecord> = {}): ArticleRecord => {
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
  overrides: Partial<CommentRecord> = {},
): CommentRecord => {
  const n = next();
  return { id: n, articleId: article.id, authorId: author.id, body: `Comment ${n}`, createdAt: at(n), ...overrides };
};

export async function givenUsers(stores: ReadStores, count: number): Promise<UserRecord[]> {
  const users = Array.from({ length: count }, () => aUser());
  for (const user of users) await stores.writer.upsertUser(user);
  return users;
}

export async function givenArticle(
  stores: ReadStores,
  author: { readonly id: string },
  overrides: Partial<ArticleRecord> = {},
): Promise<ArticleRecord> {
  const article = anArticle(author, overrides);
  await stores.writer.upsertArticle(article);
  return article;
}

export const slugs = (page: { readonly items: readonly { readonly slug: string }[] }): string[] =>
  page.items.map((a) => a.slug);
