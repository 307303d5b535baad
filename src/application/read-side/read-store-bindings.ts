import type { Bind, Newable } from 'inversify';
import { ArticleReadStore } from './article.read-store.js';
import { CommentReadStore } from './comment.read-store.js';
import { ReadModelGenerations } from './read-model-generations.js';
import { ReadModelWriter } from './read-model.writer.js';
import { RelationshipReadStore } from './relationship.read-store.js';
import { UserReadStore } from './user.read-store.js';

/** The classes one read-store technology implements the read side's ports with; the compiler checks each. */
export interface ReadStoreAdapters {
  readonly generations: Newable<ReadModelGenerations>;
  readonly writer: Newable<ReadModelWriter>;
  readonly users: Newable<UserReadStore>;
  readonly articles: Newable<ArticleReadStore>;
  readonly comments: Newable<CommentReadStore>;
  readonly relationships: Newable<RelationshipReadStore>;
}

/**
 * Binds every port of the read side to its adapter: the one list of those ports. The
 * generations class is also bound as itself, so an adapter that needs it by class (the
 * in-memory query adapters read from it) gets the same instance.
 */
export function bindReadStore(bind: Bind, adapters: ReadStoreAdapters): void {
  bind(adapters.generations).toSelf();
  bind(ReadModelGenerations).toService(adapters.generations);
  bind(ReadModelWriter).to(adapters.writer);
  bind(UserReadStore).to(adapters.users);
  bind(ArticleReadStore).to(adapters.articles);
  bind(CommentReadStore).to(adapters.comments);
  bind(RelationshipReadStore).to(adapters.relationships);
}
