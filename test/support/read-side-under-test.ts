import 'reflect-metadata';
import { Container, type Newable } from 'inversify';
import { InMemoryArticleReadStore } from '../../src/adapters/memory/in-memory-article-read-store.js';
import { InMemoryArticleRepository } from '../../src/adapters/memory/in-memory-article.repository.js';
import { InMemoryCommentReadStore } from '../../src/adapters/memory/in-memory-comment-read-store.js';
import { InMemoryCommentRepository } from '../../src/adapters/memory/in-memory-comment.repository.js';
import { InMemoryEventOutbox } from '../../src/adapters/memory/in-memory-event-outbox.js';
import { InMemoryFavoriteRepository } from '../../src/adapters/memory/in-memory-favorite.repository.js';
import { InMemoryFollowRepository } from '../../src/adapters/memory/in-memory-follow.repository.js';
import { InMemoryReadModelStore } from '../../src/adapters/memory/in-memory-read-model.store.js';
import { InMemoryReadModelWriter } from '../../src/adapters/memory/in-memory-read-model.writer.js';
import { InMemoryReadSource } from '../../src/adapters/memory/in-memory-read-store.js';
import { InMemoryRelationshipReadStore } from '../../src/adapters/memory/in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from '../../src/adapters/memory/in-memory-user-read-store.js';
import { InMemoryUserRepository } from '../../src/adapters/memory/in-memory-user.repository.js';
import { InMemoryWriteModelSnapshot } from '../../src/adapters/memory/in-memory-write-model-snapshot.js';
import { InMemoryWriteStore } from '../../src/adapters/memory/in-memory-write-store.js';
import { MikroOrmArticleRepository } from '../../src/adapters/postgres/mikro-orm-article.repository.js';
import { MikroOrmCommentRepository } from '../../src/adapters/postgres/mikro-orm-comment.repository.js';
import { MikroOrmEventOutbox } from '../../src/adapters/postgres/mikro-orm-event-outbox.js';
import { MikroOrmFavoriteRepository } from '../../src/adapters/postgres/mikro-orm-favorite.repository.js';
import { MikroOrmFollowRepository } from '../../src/adapters/postgres/mikro-orm-follow.repository.js';
import { MikroOrmUserRepository } from '../../src/adapters/postgres/mikro-orm-user.repository.js';
import { MikroOrmWriteModelSnapshot } from '../../src/adapters/postgres/mikro-orm-write-model-snapshot.js';
import { SqlOrmToken } from '../../src/adapters/postgres/orm.js';
import { SqlArticleReadStore } from '../../src/adapters/sql-read-store/sql-article-read-store.js';
import { SqlCommentReadStore } from '../../src/adapters/sql-read-store/sql-comment-read-store.js';
import { SqlActiveGeneration } from '../../src/adapters/sql-read-store/sql-read-generation.js';
import { SqlReadModelStore } from '../../src/adapters/sql-read-store/sql-read-model.store.js';
import { SqlReadModelWriter } from '../../src/adapters/sql-read-store/sql-read-model.writer.js';
import { SqlRelationshipReadStore } from '../../src/adapters/sql-read-store/sql-relationship-read-store.js';
import { SqlUserReadStore } from '../../src/adapters/sql-read-store/sql-user-read-store.js';
import { CryptoIdGenerator } from '../../src/adapters/system/crypto-id-generator.js';
import { SystemClock } from '../../src/adapters/system/system-clock.js';
import { ArticleReadStore } from '../../src/application/articles/article.read-store.js';
import { ArticleRepository } from '../../src/application/articles/article.repository.js';
import { CreateArticleHandler } from '../../src/application/articles/create-article.js';
import { DeleteArticleHandler } from '../../src/application/articles/delete-article.js';
import { UpdateArticleHandler } from '../../src/application/articles/update-article.js';
import { AddCommentHandler } from '../../src/application/comments/add-comment.js';
import { CommentReadStore } from '../../src/application/comments/comment.read-store.js';
import { CommentRepository } from '../../src/application/comments/comment.repository.js';
import { DeleteCommentHandler } from '../../src/application/comments/delete-comment.js';
import { FavoriteArticleHandler } from '../../src/application/favorites/favorite-article.js';
import { FavoriteRepository } from '../../src/application/favorites/favorite.repository.js';
import { UnfavoriteArticleHandler } from '../../src/application/favorites/unfavorite-article.js';
import { FollowUserHandler } from '../../src/application/profiles/follow-user.js';
import { FollowRepository } from '../../src/application/profiles/follow.repository.js';
import { RelationshipReadStore } from '../../src/application/profiles/relationship.read-store.js';
import { UnfollowUserHandler } from '../../src/application/profiles/unfollow-user.js';
import { ConduitProjection } from '../../src/application/projections/conduit.projection.js';
import { ensureActiveGeneration } from '../../src/application/projections/ensure-active-generation.js';
import { EventOutbox } from '../../src/application/projections/event-outbox.js';
import { ReadModelStore } from '../../src/application/projections/read-model.store.js';
import { ReadModelWriter } from '../../src/application/projections/read-model.writer.js';
import { RebuildReadModelsHandler } from '../../src/application/projections/rebuild-read-models.js';
import { WriteModelSnapshot } from '../../src/application/projections/write-model-snapshot.js';
import { Clock, IdGenerator } from '../../src/application/shared/ports.js';
import { PasswordHasher } from '../../src/application/users/password-hasher.js';
import { RegisterUserHandler } from '../../src/application/users/register-user.js';
import { UpdateUserHandler } from '../../src/application/users/update-user.js';
import { UserReadStore } from '../../src/application/users/user.read-store.js';
import { UserRepository } from '../../src/application/users/user.repository.js';
import type { ReadStores } from '../contract/read-store/read-store.fixtures.js';
import { dropGenerationSchemas } from './read-model-sql.js';
import { openTestDatabase, type SqlKind, type TestSqlDatabase } from './sql.js';

export type ReadSideKind = 'memory' | SqlKind;

/** Instant and reversible: these tests exercise projections, not argon2. */
class PlainHasher implements PasswordHasher {
  async hash(plain: string): Promise<string> {
    return `plain:${plain}`;
  }
  async verify(hash: string, plain: string): Promise<boolean> {
    return hash === `plain:${plain}`;
  }
}

const HANDLERS = {
  registerUser: RegisterUserHandler,
  updateUser: UpdateUserHandler,
  followUser: FollowUserHandler,
  unfollowUser: UnfollowUserHandler,
  createArticle: CreateArticleHandler,
  updateArticle: UpdateArticleHandler,
  deleteArticle: DeleteArticleHandler,
  favoriteArticle: FavoriteArticleHandler,
  unfavoriteArticle: UnfavoriteArticleHandler,
  addComment: AddCommentHandler,
  deleteComment: DeleteCommentHandler,
} as const;

type Handlers = { readonly [K in keyof typeof HANDLERS]: InstanceType<(typeof HANDLERS)[K]> };

/**
 * The write side, the read side and a live projector of one adapter family, wired the way
 * the composition root wires them (real handlers, repositories, outbox, read-model store,
 * query adapters following the active generation), without HTTP or timers: `project()`
 * is the live projector, run when the test says.
 */
export interface ReadSideUnderTest {
  readonly kind: ReadSideKind;
  readonly commands: Handlers;
  readonly store: ReadModelStore;
  readonly outbox: EventOutbox;
  /** The live writer and query adapters (they follow the active generation). */
  readonly stores: ReadStores;
  readonly rebuild: RebuildReadModelsHandler;
  /** The live projector: applies every event it has not applied yet, in outbox order. */
  project(): Promise<void>;
  /** Empties the write model, the outbox and every read model (a fresh first generation). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openReadSide(kind: ReadSideKind): Promise<ReadSideUnderTest> {
  let db: TestSqlDatabase | null = null;
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(Clock).to(SystemClock);
  container.bind(IdGenerator).to(CryptoIdGenerator);
  container.bind(PasswordHasher).toConstantValue(new PlainHasher());
  const bind = <T>(token: symbol, adapter: Newable<T>) => container.bind<T>(token).to(adapter);

  if (kind === 'memory') {
    container.bind(InMemoryWriteStore).toSelf();
    bind(UserRepository, InMemoryUserRepository);
    bind(FollowRepository, InMemoryFollowRepository);
    bind(ArticleRepository, InMemoryArticleRepository);
    bind(FavoriteRepository, InMemoryFavoriteRepository);
    bind(CommentRepository, InMemoryCommentRepository);
    bind(EventOutbox, InMemoryEventOutbox);
    bind(WriteModelSnapshot, InMemoryWriteModelSnapshot);
    container.bind(InMemoryReadModelStore).toSelf();
    container.bind(ReadModelStore).toService(InMemoryReadModelStore);
    container.bind(InMemoryReadSource).toService(InMemoryReadModelStore);
    bind(UserReadStore, InMemoryUserReadStore);
    bind(ArticleReadStore, InMemoryArticleReadStore);
    bind(CommentReadStore, InMemoryCommentReadStore);
    bind(RelationshipReadStore, InMemoryRelationshipReadStore);
    bind(ReadModelWriter, InMemoryReadModelWriter);
  } else {
    db = await openTestDatabase(kind);
    container.bind(SqlOrmToken).toConstantValue(db.orm);
    bind(UserRepository, MikroOrmUserRepository);
    bind(FollowRepository, MikroOrmFollowRepository);
    bind(ArticleRepository, MikroOrmArticleRepository);
    bind(FavoriteRepository, MikroOrmFavoriteRepository);
    bind(CommentRepository, MikroOrmCommentRepository);
    bind(EventOutbox, MikroOrmEventOutbox);
    bind(WriteModelSnapshot, MikroOrmWriteModelSnapshot);
    container.bind(SqlActiveGeneration).toSelf();
    bind(ReadModelStore, SqlReadModelStore);
    bind(UserReadStore, SqlUserReadStore);
    bind(ArticleReadStore, SqlArticleReadStore);
    bind(CommentReadStore, SqlCommentReadStore);
    bind(RelationshipReadStore, SqlRelationshipReadStore);
    bind(ReadModelWriter, SqlReadModelWriter);
  }
  container.bind(ConduitProjection).toSelf();
  container.bind(RebuildReadModelsHandler).toSelf();
  for (const handler of Object.values(HANDLERS)) container.bind(handler as Newable<unknown>).toSelf();

  const store = container.get<ReadModelStore>(ReadModelStore);
  const outbox = container.get<EventOutbox>(EventOutbox);
  const projection = container.get(ConduitProjection);
  let projected = 0;
  await ensureActiveGeneration(store);

  const commands = Object.fromEntries(
    Object.entries(HANDLERS).map(([name, handler]) => [name, container.get(handler as Newable<unknown>)]),
  ) as unknown as Handlers;

  return {
    kind,
    commands,
    store,
    outbox,
    stores: {
      writer: container.get<ReadModelWriter>(ReadModelWriter),
      users: container.get<UserReadStore>(UserReadStore),
      articles: container.get<ArticleReadStore>(ArticleReadStore),
      comments: container.get<CommentReadStore>(CommentReadStore),
      relationships: container.get<RelationshipReadStore>(RelationshipReadStore),
    },
    rebuild: container.get(RebuildReadModelsHandler),
    project: async () => {
      for (;;) {
        const entries = await outbox.readAfter(projected, 500);
        if (entries.length === 0) return;
        for (const entry of entries) {
          await projection.apply(entry.event);
          projected = entry.position;
        }
      }
    },
    reset: async () => {
      projected = 0;
      if (db) {
        await db.truncate();
        await dropGenerationSchemas(db.orm);
        container.get(SqlActiveGeneration).forget();
      } else {
        container.get(InMemoryWriteStore).clear();
        for (const generation of await store.listGenerations()) {
          if (generation !== (await store.activeGeneration())) await store.drop(generation);
        }
        await store.writerFor((await store.activeGeneration()) as string).clear();
      }
      await ensureActiveGeneration(store);
      await store.clearReplayFrom();
    },
    close: async () => {
      await db?.close();
    },
  };
}
