import { Err, Ok, type Result } from 'ts-results-es';
import { canActOnBehalfOf, type Actor } from '../shared/actor.js';
import { StateAggregate } from '../shared/state-aggregate.js';
import { forbiddenError, type ForbiddenError } from '../shared/domain-error.js';
import type { ArticleEvent, ArticleSnapshotPayload } from './article.events.js';
import type { ArticleContent, ArticleDraft, ArticleEdit } from './article-draft.js';
import { chooseSlug, slugify, type SlugAvailability } from './slug.js';

export type ArticleForbiddenError = ForbiddenError<'ARTICLE.NOT_AUTHOR'>;

export interface ArticleState extends ArticleContent {
  readonly id: string;
  readonly authorId: string;
  readonly slug: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly version: number;
}

const notAuthor = (): ArticleForbiddenError =>
  forbiddenError('ARTICLE.NOT_AUTHOR', 'article', 'only its author can change it');

export class Article extends StateAggregate<ArticleState, ArticleEvent> {
  protected readonly aggregateType = 'Article';

  static publish(input: {
    readonly id: string;
    readonly authorId: string;
    readonly draft: ArticleDraft;
    readonly slug: SlugAvailability;
    readonly now: Date;
  }): Article {
    const { draft } = input;
    const article = new Article({
      id: input.id,
      authorId: input.authorId,
      slug: chooseSlug(draft.slug, input.slug),
      title: draft.title,
      description: draft.description,
      body: draft.body,
      tagList: [...draft.tagList],
      createdAt: input.now,
      updatedAt: input.now,
      version: 0,
    });
    article.recordEvent('ArticlePublished', input.now, article.payload());
    return article;
  }

  /** Persistence-only path: rebuilds a stored article without validating or recording. */
  static rehydrate(state: ArticleState): Article {
    return new Article(state);
  }

  /** True when the edit changes the title enough to change the slug. */
  needsNewSlug(edit: ArticleEdit): boolean {
    return edit.slug !== undefined && edit.slug !== slugify(this.state.title);
  }

  /** Whether `actor` may edit or delete this article: its author, or an admin. */
  authorize(actor: Actor): Result<void, ArticleForbiddenError> {
    return canActOnBehalfOf(actor, this.state.authorId) ? Ok(undefined) : Err(notAuthor());
  }

  edit(
    actor: Actor,
    edit: ArticleEdit,
    slug: SlugAvailability,
    now: Date,
  ): Result<void, ArticleForbiddenError> {
    if (!canActOnBehalfOf(actor, this.state.authorId)) return Err(notAuthor());
    const next = {
      ...this.state,
      title: edit.title ?? this.state.title,
      description: edit.description ?? this.state.description,
      body: edit.body ?? this.state.body,
      tagList: edit.tagList !== undefined ? [...edit.tagList] : this.state.tagList,
    };
    if (edit.slug !== undefined && this.needsNewSlug(edit)) next.slug = chooseSlug(edit.slug, slug);
    const changed =
      next.title !== this.state.title ||
      next.description !== this.state.description ||
      next.body !== this.state.body ||
      next.slug !== this.state.slug ||
      next.tagList.join('\n') !== this.state.tagList.join('\n');
    if (!changed) return Ok(undefined);

    const previousSlug = this.state.slug;
    this.state = { ...next, updatedAt: now };
    this.recordEvent('ArticleUpdated', now, { ...this.payload(), previousSlug });
    return Ok(undefined);
  }

  delete(actor: Actor, now: Date): Result<void, ArticleForbiddenError> {
    if (!canActOnBehalfOf(actor, this.state.authorId)) return Err(notAuthor());
    if (!this.markDeleted()) return Ok(undefined);
    const { authorId, slug, tagList } = this.state;
    this.recordEvent('ArticleDeleted', now, { articleId: this.id, authorId, slug, tagList });
    return Ok(undefined);
  }

  get slug(): string {
    return this.state.slug;
  }
  get authorId(): string {
    return this.state.authorId;
  }

  private payload(): ArticleSnapshotPayload {
    return articleSnapshotPayload(this.state);
  }
}

/** What the article's events carry about its state (also what a rebuild lists for a stored article). */
export function articleSnapshotPayload(state: Omit<ArticleState, 'version'>): ArticleSnapshotPayload {
  const { id, authorId, slug, title, description, body, tagList, createdAt, updatedAt } = state;
  return {
    articleId: id,
    authorId,
    slug,
    title,
    description,
    body,
    tagList: [...tagList],
    createdAt: createdAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}
