import { Err, Ok, type Result } from 'ts-results-es';
import { Favorite } from '../../domain/index.js';
import type { ArticleRepository } from '../articles/article.repository.js';
import { articleNotFound, unknownActor, type ArticleNotFound, type UnknownActor } from '../shared/errors.js';
import { RACE_RETRIES, type SaveConflict } from '../shared/persistence.js';
import type { Clock } from '../shared/ports.js';
import type { UserRepository } from '../users/user.repository.js';
import type { FavoriteRepository } from './favorite.repository.js';

export interface FavoriteCommand {
  readonly userId: string;
  readonly slug: string;
}

export type FavoriteCommandError = ArticleNotFound | UnknownActor | SaveConflict;

/**
 * Shared by favourite and unfavourite: idempotent switches of one (user, article) pair.
 * A concurrent first favourite of the same pair loses on the primary key, reloads, finds
 * it already on, and succeeds.
 */
export async function setFavorite(
  deps: { users: UserRepository; articles: ArticleRepository; favorites: FavoriteRepository; clock: Clock },
  command: FavoriteCommand,
  active: boolean,
): Promise<Result<{ slug: string }, FavoriteCommandError>> {
  const [user, article] = await Promise.all([
    deps.users.findById(command.userId),
    deps.articles.findBySlug(command.slug),
  ]);
  if (user === null) return Err(unknownActor());
  if (article === null) return Err(articleNotFound());

  for (let attempt = 0; ; attempt++) {
    const now = deps.clock.now();
    const favorite = (await deps.favorites.find(user.id, article.id)) ?? Favorite.between(user.id, article.id, now);
    if (active) favorite.favorite(now);
    else favorite.unfavorite(now);
    const saved = await deps.favorites.save(favorite);
    if (saved.isOk()) return Ok({ slug: article.slug });
    if (saved.error.code === 'REFERENCE_GONE') return Err(articleNotFound());
    if (attempt >= RACE_RETRIES) return Err(saved.error);
  }
}
