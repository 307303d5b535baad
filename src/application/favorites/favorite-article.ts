import { inject, injectable } from 'inversify';
import type { Result } from 'ts-results-es';
import { ArticleRepository } from '../articles/article.repository.js';
import type { CommandHandler } from '../shared/handler.js';
import { Clock } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { FavoriteRepository } from './favorite.repository.js';
import { setFavorite, type FavoriteCommand, type FavoriteCommandError } from './set-favorite.js';

export type FavoriteArticle = FavoriteCommand;

@injectable()
export class FavoriteArticleHandler implements CommandHandler<FavoriteArticle, { slug: string }, FavoriteCommandError> {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(FavoriteRepository) private readonly favorites: FavoriteRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  execute(command: FavoriteArticle): Promise<Result<{ slug: string }, FavoriteCommandError>> {
    return setFavorite({ users: this.users, articles: this.articles, favorites: this.favorites, clock: this.clock }, command, true);
  }
}
