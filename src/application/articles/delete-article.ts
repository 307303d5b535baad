import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { actsWithPrivilege, type ArticleForbiddenError } from '../../domain/index.js';
import { loadActor } from '../shared/actor.js';
import { AuditLog, userActor } from '../shared/audit-log.js';
import { articleNotFound, type ArticleNotFound, type UnknownActor } from '../shared/errors.js';
import type { CommandHandler } from '../shared/handler.js';
import type { SaveConflict } from '../shared/persistence.js';
import { Clock } from '../shared/ports.js';
import { UserRepository } from '../users/user.repository.js';
import { ArticleRepository } from './article.repository.js';

export interface DeleteArticle {
  readonly actorId: string;
  readonly slug: string;
}

export type DeleteArticleError = ArticleForbiddenError | ArticleNotFound | UnknownActor | SaveConflict;

/** Deletes the article with its comments and favourites (the repository's transaction). */
@injectable()
export class DeleteArticleHandler implements CommandHandler<DeleteArticle, void, DeleteArticleError> {
  constructor(
    @inject(ArticleRepository) private readonly articles: ArticleRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async execute(command: DeleteArticle): Promise<Result<void, DeleteArticleError>> {
    const actor = await loadActor(this.users, command.actorId);
    if (actor.isErr()) return actor;
    const article = await this.articles.findBySlug(command.slug);
    if (article === null) return Err(articleNotFound());
    const deleted = article.delete(actor.value, this.clock.now());
    if (deleted.isErr()) return deleted;
    const saved = await this.articles.save(article);
    if (saved.isErr()) {
      // Deleted (or changed) by someone else meanwhile: gone now is what was asked, or 404.
      return (await this.articles.findBySlug(command.slug)) === null ? Err(articleNotFound()) : Err(saved.error);
    }
    if (actsWithPrivilege(actor.value, article.authorId))
      this.audit.record({ actor: userActor(actor.value.userId), action: 'article.delete', target: article.slug, owner: article.authorId });
    return Ok(undefined);
  }
}
