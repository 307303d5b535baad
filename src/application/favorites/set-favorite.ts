import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { Favorite } from '../../domain/index.js';
import { ArticleRepository } from '../articles/article.repository.js';
import { ProfileLookup } from '../profiles/profile-lookup.js';
import { articleNotFound, type ArticleNotFound } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import { referenceGoneAs, type SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { retryRaces } from '../shared/retry.js';
import type { ArticleView } from '../shared/views.js';
import { articleViewOf } from '../shared/write-side-views.js';
import { FavoriteRepository } from './favorite.repository.js';

export interface SetFavorite {
  readonly userId: string;
  readonly slug: string;
  /** true: favourite; false: unfavourite. */
  readonly favorited: boolean;
}

export type SetFavoriteError = ArticleNotFound | SaveConflict;

/**
 * Favourite and unfavourite: idempotent switches of one (user, article) pair. A concurrent
 * first favourite of the same pair loses on the primary key, reloads, finds it already on,
 * and succeeds. Answers the article as the user now sees it, its count as the write saw it.
 */
@injectable()
export class SetFavoriteHandler implements CommandHandler<SetFavorite, ArticleView, SetFavoriteError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(FavoriteRepository) private readonly favorites: FavoriteRepository,
    @inject(ProfileLookup) private readonly profiles: ProfileLookup,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(command: SetFavorite): Promise<Result<ArticleView, SetFavoriteError>> {
    const article = await this.articles.findBySlug(command.slug);
    if (article === null) return Err(articleNotFound());
    const author = await this.profiles.profileOf(article.authorId, command.userId);
    if (author === null) return Err(articleNotFound());

    return retryRaces(async () => {
      const now = this.clock.now();
      const stored = await this.favorites.find(command.userId, article.id);
      const favorite = stored.favorite ?? Favorite.between(command.userId, article.id, now);
      favorite.switchTo(command.favorited, now);
      let { favoritesCount } = stored;
      if (favorite.version !== favorite.persistedVersion) {
        const saved = await this.favorites.save(favorite);
        // The article (or the user) was deleted between the look-up and the write.
        if (saved.isErr()) return Err(referenceGoneAs(saved.error, articleNotFound));
        favoritesCount = saved.value.favoritesCount;
      }
      return Ok(articleViewOf(article.snapshot(), author, { favorited: favorite.active, favoritesCount }));
    });
  }
}
