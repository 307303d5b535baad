import { inject, injectable } from 'inversify';
import type { ProfileView } from '../read-model/views.js';
import type { StoredArticleSummary, StoredAuthor } from '../read-model/stored.js';
import { RelationshipReadStore } from './relationship.read-store.js';

/** A stored article as the viewer sees it: internal ids dropped, relationships added. */
export type Personalised<A extends StoredArticleSummary> = Omit<A, 'id' | 'author'> & {
  readonly favorited: boolean;
  readonly author: ProfileView;
};

const NOBODY: ReadonlySet<string> = new Set();

/**
 * Adds the viewer-specific fields (`following`, `favorited`) to stored views: one batch
 * look-up per relationship for a whole page, none at all for an anonymous viewer.
 */
@injectable()
export class ViewerContext {
  constructor(@inject(RelationshipReadStore) private readonly relationships: RelationshipReadStore) {}

  async forAuthors(
    viewerId: string | undefined,
    authors: readonly StoredAuthor[],
  ): Promise<(author: StoredAuthor) => ProfileView> {
    const followed = viewerId
      ? await this.relationships.followedAmong(viewerId, unique(authors.map((a) => a.id)))
      : NOBODY;
    return (author) => toProfile(author, followed.has(author.id));
  }

  async forArticles<A extends StoredArticleSummary>(
    viewerId: string | undefined,
    articles: readonly A[],
  ): Promise<(article: A) => Personalised<A>> {
    const [followed, favorited] = viewerId
      ? await Promise.all([
          this.relationships.followedAmong(viewerId, unique(articles.map((a) => a.author.id))),
          this.relationships.favoritedAmong(viewerId, unique(articles.map((a) => a.id))),
        ])
      : [NOBODY, NOBODY];
    return (article) => {
      const { id, author, ...rest } = article;
      return { ...rest, favorited: favorited.has(id), author: toProfile(author, followed.has(author.id)) };
    };
  }
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];

const toProfile = (author: StoredAuthor, following: boolean): ProfileView => ({
  username: author.username,
  bio: author.bio,
  image: author.image,
  following,
});
