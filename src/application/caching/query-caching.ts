import { Username } from '../../domain/index.js';
import type { UseCaseInput, useCases } from '../use-cases.js';
import { tags } from './cache-tags.js';

/** How long an entry may live: items (an article, a profile, comments) or lists (pages, tags). */
export type CacheLifetime = 'item' | 'list';

/**
 * What one cached query depends on. The entry holds the query's anonymous data (its
 * handler's `load`); its tags are the input's (known before the query: who holds this slug,
 * which articles exist) and the data's (the ids it embeds).
 */
export interface QueryCaching<I, D> {
  readonly lifetime: CacheLifetime;
  /** The reader whose own fields the answer carries; undefined: the anonymous answer. */
  viewer(input: I): string | undefined;
  /** Everything of the input but the viewer: one entry serves every viewer. */
  key(input: I): string;
  inputTags(input: I): readonly string[];
  dataTags(data: D): readonly string[];
}

/** The queries that are cached. The feed is not: it is one viewer's alone, so an entry would serve one reader. */
export type CachedQueryName = 'getArticle' | 'listArticles' | 'listComments' | 'getProfile' | 'getTags';

type HandlerOf<K extends CachedQueryName> = InstanceType<(typeof useCases)[K]['handler']>;
export type DataOf<K extends CachedQueryName> = Awaited<ReturnType<HandlerOf<K>['load']>>;

type Policies = { readonly [K in CachedQueryName]: QueryCaching<UseCaseInput<K>, DataOf<K>> };

const unique = (values: readonly string[]): string[] => [...new Set(values)];

/**
 * The read paths and what invalidates them; cache-tags.ts holds the other half (what each
 * change bumps). A filter naming a user depends on `renames`: renaming a user changes
 * which articles `?author=` and `?favorited=` name, and the old name's page may hold no
 * article to carry that user's tag.
 */
export const QUERY_CACHING: Policies = {
  getArticle: {
    viewer: ({ viewerId }) => viewerId,
    lifetime: 'item',
    key: ({ slug }) => `article:${slug}`,
    inputTags: ({ slug }) => [tags.slug(slug)],
    dataTags: (article) => (article === null ? [] : [tags.article(article.id), tags.user(article.author.id)]),
  },
  listArticles: {
    viewer: ({ viewerId }) => viewerId,
    lifetime: 'list',
    key: ({ tag, author, favorited, limit, offset }) =>
      `articles:${JSON.stringify([tag ?? null, author ?? null, favorited ?? null, limit, offset])}`,
    inputTags: ({ author, favorited }) => [
      tags.articles,
      ...(author !== undefined || favorited !== undefined ? [tags.renames] : []),
      ...(favorited !== undefined ? [tags.favorites] : []),
    ],
    dataTags: (page) => unique(page.items.flatMap((item) => [tags.article(item.id), tags.user(item.author.id)])),
  },
  listComments: {
    viewer: ({ viewerId }) => viewerId,
    lifetime: 'item',
    key: ({ slug }) => `comments:${slug}`,
    inputTags: ({ slug }) => [tags.slug(slug)],
    dataTags: (data) =>
      data === null
        ? []
        : unique([
            tags.article(data.articleId),
            tags.comments(data.articleId),
            ...data.comments.map((comment) => tags.user(comment.author.id)),
          ]),
  },
  getProfile: {
    viewer: ({ viewerId }) => viewerId,
    lifetime: 'item',
    key: ({ username }) => `profile:${Username.keyOf(username)}`,
    inputTags: ({ username }) => [tags.username(Username.keyOf(username))],
    dataTags: (author) => (author === null ? [] : [tags.user(author.id)]),
  },
  getTags: {
    viewer: () => undefined,
    lifetime: 'list',
    key: () => 'tags',
    inputTags: () => [tags.articles],
    dataTags: () => [],
  },
};

export const isCachedQuery = (name: string): name is CachedQueryName => Object.hasOwn(QUERY_CACHING, name);
