/**
 * JSON schemas of every request part and every success response, with the TypeScript
 * shape each request schema guarantees to the route handler.
 *
 * Request caps are deliberately looser than the domain's rules (which give the precise
 * message): they exist so that absurd input is refused before it costs anything. Response
 * schemas drive fast-json-stringify, which also means a property not listed here can never
 * reach a client (no `body` in list items, no internal ids).
 */

/** Most articles one page may hold; larger `limit`s are clamped to it, not refused. */
export const PAGE_MAX = 100;
const PAGE_DEFAULT = 20;
/** Deeper offsets make the database walk and drop that many rows for every request. */
const OFFSET_MAX = 100_000;

/**
 * Every string a client sends, in any part: anything but NUL and unpaired UTF-16
 * surrogates (`"\ud800"` is valid JSON and a valid URL escape). PostgreSQL can store
 * neither in text or JSON columns, so they would surface as a driver error (500) on the
 * SQL adapters, in look-ups as much as in writes; no person types them. Ajv compiles
 * patterns with the `u` flag, under which a surrogate range matches only unpaired halves.
 */
export const STORABLE_TEXT = '^[^\\u0000\\uD800-\\uDFFF]*$';

const text = (maxLength: number) => ({ type: 'string', maxLength, pattern: STORABLE_TEXT }) as const;
const nullableText = (maxLength: number) => ({ type: ['string', 'null'], maxLength, pattern: STORABLE_TEXT }) as const;

/** `required` wrapper object holding `properties`; unknown keys are tolerated at both levels. */
const wrapped = <K extends string, P extends Record<string, unknown>, R extends readonly (keyof P & string)[] = []>(
  key: K,
  properties: P,
  required: R = [] as unknown as R,
) =>
  ({
    type: 'object',
    required: [key],
    properties: { [key]: { type: 'object', required, properties } } as { [_ in K]: { type: 'object'; required: R; properties: P } },
  }) as const;

// ---- request parts -------------------------------------------------------------------

const tagList = { type: ['array', 'null'], maxItems: 100, items: text(200) } as const;

export const registerBody = wrapped(
  'user',
  { username: text(256), email: text(512), password: text(1024) },
  ['username', 'email', 'password'] as const,
);

export const loginBody = wrapped('user', { email: text(512), password: text(1024) }, ['email', 'password'] as const);

export const updateUserBody = wrapped('user', {
  username: text(256),
  email: text(512),
  password: text(1024),
  bio: nullableText(10_000),
  image: nullableText(4096),
});

const articleFields = { title: text(1000), description: text(5000), body: text(500_000), tagList };

export const createArticleBody = wrapped('article', articleFields, ['title', 'description', 'body'] as const);

export const updateArticleBody = wrapped('article', articleFields);

export const addCommentBody = wrapped('comment', { body: text(50_000) }, ['body'] as const);

const pathSegment = (maxLength: number) =>
  ({ type: 'string', minLength: 1, maxLength, pattern: STORABLE_TEXT }) as const;

export const usernameParams = {
  type: 'object',
  required: ['username'],
  properties: { username: pathSegment(256) },
} as const;

export const slugParams = { type: 'object', required: ['slug'], properties: { slug: pathSegment(512) } } as const;

export const commentParams = {
  type: 'object',
  required: ['slug', 'id'],
  properties: {
    slug: pathSegment(512),
    id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;

const pageProperties = {
  limit: { type: 'integer', minimum: 1, default: PAGE_DEFAULT },
  offset: { type: 'integer', minimum: 0, maximum: OFFSET_MAX, default: 0 },
} as const;

export const pageQuery = { type: 'object', properties: pageProperties } as const;

export const listArticlesQuery = {
  type: 'object',
  properties: { ...pageProperties, tag: text(256), author: text(256), favorited: text(256) },
} as const;

// ---- responses -----------------------------------------------------------------------

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;

const profile = {
  type: 'object',
  required: ['username', 'bio', 'image', 'following'],
  properties: { username: string, bio: nullableString, image: nullableString, following: { type: 'boolean' } },
} as const;

const articleListItemProperties = {
  slug: string,
  title: string,
  description: string,
  tagList: { type: 'array', items: string },
  createdAt: string,
  updatedAt: string,
  favorited: { type: 'boolean' },
  favoritesCount: { type: 'integer' },
  author: profile,
} as const;
const articleListItemRequired = Object.keys(articleListItemProperties);

const article = {
  type: 'object',
  required: [...articleListItemRequired, 'body'],
  properties: { ...articleListItemProperties, body: string },
} as const;

const articleListItem = {
  type: 'object',
  required: articleListItemRequired,
  properties: articleListItemProperties,
} as const;

const comment = {
  type: 'object',
  required: ['id', 'createdAt', 'updatedAt', 'body', 'author'],
  properties: { id: { type: 'integer' }, createdAt: string, updatedAt: string, body: string, author: profile },
} as const;

const envelope = (key: string, schema: object) =>
  ({ type: 'object', required: [key], properties: { [key]: schema } }) as const;

export const userResponse = envelope('user', {
  type: 'object',
  required: ['email', 'token', 'username', 'bio', 'image'],
  properties: { email: string, token: string, username: string, bio: nullableString, image: nullableString },
});
export const profileResponse = envelope('profile', profile);
export const articleResponse = envelope('article', article);
export const articlesResponse = {
  type: 'object',
  required: ['articles', 'articlesCount'],
  properties: { articles: { type: 'array', items: articleListItem }, articlesCount: { type: 'integer' } },
} as const;
export const commentResponse = envelope('comment', comment);
export const commentsResponse = envelope('comments', { type: 'array', items: comment });
export const tagsResponse = envelope('tags', { type: 'array', items: string });
