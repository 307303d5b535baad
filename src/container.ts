import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Container, type Newable, type ServiceIdentifier } from 'inversify';
import type { Logger } from 'pino';
import { ArticleReadStore } from './application/articles/article.read-store.js';
import { ArticleRepository } from './application/articles/article.repository.js';
import { CreateArticleHandler } from './application/articles/create-article.js';
import { DeleteArticleHandler } from './application/articles/delete-article.js';
import { GetArticleHandler } from './application/articles/get-article.js';
import { GetFeedHandler } from './application/articles/get-feed.js';
import { ListArticlesHandler } from './application/articles/list-articles.js';
import { UpdateArticleHandler } from './application/articles/update-article.js';
import { AddCommentHandler } from './application/comments/add-comment.js';
import { CommentReadStore } from './application/comments/comment.read-store.js';
import { CommentRepository } from './application/comments/comment.repository.js';
import { DeleteCommentHandler } from './application/comments/delete-comment.js';
import { GetCommentHandler } from './application/comments/get-comment.js';
import { ListCommentsHandler } from './application/comments/list-comments.js';
import { FavoriteArticleHandler } from './application/favorites/favorite-article.js';
import { FavoriteRepository } from './application/favorites/favorite.repository.js';
import { UnfavoriteArticleHandler } from './application/favorites/unfavorite-article.js';
import { FollowUserHandler } from './application/profiles/follow-user.js';
import { FollowRepository } from './application/profiles/follow.repository.js';
import { GetProfileHandler } from './application/profiles/get-profile.js';
import { RelationshipReadStore } from './application/profiles/relationship.read-store.js';
import { UnfollowUserHandler } from './application/profiles/unfollow-user.js';
import { ViewerContext } from './application/profiles/viewer-context.js';
import { ConduitProjection } from './application/projections/conduit.projection.js';
import { EventOutbox } from './application/projections/event-outbox.js';
import { ProjectionFailureSink, Projector, ProjectorOptions } from './application/projections/projector.js';
import { ReadModelStore } from './application/projections/read-model.store.js';
import { ensureActiveGeneration } from './application/projections/ensure-active-generation.js';
import { WriteModelSnapshot } from './application/projections/write-model-snapshot.js';
import { ReadModelWriter } from './application/projections/read-model.writer.js';
import { OutboxBarrier, readYourWrites } from './application/projections/read-your-writes.js';
import type { CommandHandler } from './application/shared/handler.js';
import { Clock, IdGenerator } from './application/shared/ports.js';
import { GetTagsHandler } from './application/tags/get-tags.js';
import { GetCurrentUserHandler } from './application/users/get-current-user.js';
import { LoginUserHandler } from './application/users/login-user.js';
import { PasswordHasher } from './application/users/password-hasher.js';
import { RegisterUserHandler } from './application/users/register-user.js';
import { UpdateUserHandler } from './application/users/update-user.js';
import { UserReadStore } from './application/users/user.read-store.js';
import { UserRepository } from './application/users/user.repository.js';
import type { DomainError } from './domain/index.js';
import { buildHttpApp } from './adapters/http/app.js';
import type { Commands, Queries, ReadinessCheck } from './adapters/http/http-deps.js';
import { InMemoryArticleReadStore } from './adapters/memory/in-memory-article-read-store.js';
import { InMemoryArticleRepository } from './adapters/memory/in-memory-article.repository.js';
import { InMemoryCommentReadStore } from './adapters/memory/in-memory-comment-read-store.js';
import { InMemoryCommentRepository } from './adapters/memory/in-memory-comment.repository.js';
import { InMemoryEventOutbox } from './adapters/memory/in-memory-event-outbox.js';
import { InMemoryFavoriteRepository } from './adapters/memory/in-memory-favorite.repository.js';
import { InMemoryFollowRepository } from './adapters/memory/in-memory-follow.repository.js';
import { InMemoryReadModelWriter } from './adapters/memory/in-memory-read-model.writer.js';
import { InMemoryRelationshipReadStore } from './adapters/memory/in-memory-relationship-read-store.js';
import { InMemoryUserReadStore } from './adapters/memory/in-memory-user-read-store.js';
import { InMemoryUserRepository } from './adapters/memory/in-memory-user.repository.js';
import { InMemoryWriteStore } from './adapters/memory/in-memory-write-store.js';
import { InMemoryReadModelStore } from './adapters/memory/in-memory-read-model.store.js';
import { InMemoryWriteModelSnapshot } from './adapters/memory/in-memory-write-model-snapshot.js';
import { MongoArticleReadStore } from './adapters/mongodb/mongo-article-read-store.js';
import { MongoCommentReadStore } from './adapters/mongodb/mongo-comment-read-store.js';
import { MongoReadDatabase } from './adapters/mongodb/mongo-read-database.js';
import { MongoReadModelStore } from './adapters/mongodb/mongo-read-model.store.js';
import { MongoReadModelWriter } from './adapters/mongodb/mongo-read-model.writer.js';
import { createMongoReadOrm, MongoOrmToken, pingMongo, type MongoOrm } from './adapters/mongodb/mongo-read-orm.js';
import { MongoRelationshipReadStore } from './adapters/mongodb/mongo-relationship-read-store.js';
import { MongoUserReadStore } from './adapters/mongodb/mongo-user-read-store.js';
import { MikroOrmWriteModelSnapshot } from './adapters/postgres/mikro-orm-write-model-snapshot.js';
import { SqlReadModelStore } from './adapters/sql-read-store/sql-read-model.store.js';
import { SqlActiveGeneration } from './adapters/sql-read-store/sql-read-generation.js';
import { InMemoryReadSource } from './adapters/memory/in-memory-read-store.js';
import { createLogger } from './adapters/observability/logger.js';
import { LoggingProjectionFailureSink } from './adapters/observability/logging-projection-failure-sink.js';
import { MikroOrmArticleRepository } from './adapters/postgres/mikro-orm-article.repository.js';
import { MikroOrmCommentRepository } from './adapters/postgres/mikro-orm-comment.repository.js';
import { MikroOrmEventOutbox } from './adapters/postgres/mikro-orm-event-outbox.js';
import { MikroOrmFavoriteRepository } from './adapters/postgres/mikro-orm-favorite.repository.js';
import { MikroOrmFollowRepository } from './adapters/postgres/mikro-orm-follow.repository.js';
import { MikroOrmUserRepository } from './adapters/postgres/mikro-orm-user.repository.js';
import { createSqlOrm, SqlOrmToken, type SqlOrm } from './adapters/postgres/orm.js';
import { Argon2PasswordHasher } from './adapters/security/argon2-password-hasher.js';
import { JwtTokenService } from './adapters/security/jwt-token-service.js';
import { SqlArticleReadStore } from './adapters/sql-read-store/sql-article-read-store.js';
import { SqlCommentReadStore } from './adapters/sql-read-store/sql-comment-read-store.js';
import { SqlReadModelWriter } from './adapters/sql-read-store/sql-read-model.writer.js';
import { SqlRelationshipReadStore } from './adapters/sql-read-store/sql-relationship-read-store.js';
import { SqlUserReadStore } from './adapters/sql-read-store/sql-user-read-store.js';
import { CryptoIdGenerator } from './adapters/system/crypto-id-generator.js';
import { SystemClock } from './adapters/system/system-clock.js';
import type { AppConfig } from './config/config.js';
import { resolveJwtSecret } from './config/jwt-secret.js';

/** How often an in-process projector looks for events no request waited for (retries, crash recovery). */
const BACKGROUND_CATCH_UP_MS = 1_000;
/** How often a worker looks for new events when the outbox was empty. */
const WORKER_IDLE_MS = 100;

export interface ApplicationOverrides {
  readonly logger?: Logger;
  /** Replaces the argon2 hasher (tests that register many users). */
  readonly passwordHasher?: PasswordHasher;
}

/** Every port bound, the stores opened; what the API, the worker and the CLIs share. */
export interface Infrastructure {
  readonly container: Container;
  readonly logger: Logger;
  /** Port → adapter, as bound (logged at start). */
  readonly bindings: Readonly<Record<string, string>>;
  readonly readiness: readonly ReadinessCheck[];
  close(): Promise<void>;
}

/**
 * The composition root: the only place that chooses adapters. Configuration decides each
 * port's adapter; everything else is constructed by the container from its constructor's
 * `@inject` tokens.
 */
export async function openInfrastructure(config: AppConfig, overrides: ApplicationOverrides = {}): Promise<Infrastructure> {
  const logger = overrides.logger ?? createLogger(config);
  const container = new Container({ defaultScope: 'Singleton' });
  const bindings: Record<string, string> = {};
  const bindPort = <T>(port: ServiceIdentifier<T>, adapter: Newable<T>): void => {
    container.bind<T>(port).to(adapter);
    bindings[portName(port)] = adapter.name;
  };
  const closers: (() => Promise<void>)[] = [];
  const readiness: ReadinessCheck[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };

  try {
    container.bind(Clock).to(SystemClock);
    container.bind(IdGenerator).to(CryptoIdGenerator);
    if (overrides.passwordHasher) {
      container.bind(PasswordHasher).toConstantValue(overrides.passwordHasher);
      bindings.PasswordHasher = overrides.passwordHasher.constructor.name;
    } else {
      bindPort(PasswordHasher, Argon2PasswordHasher);
    }

    if (config.storage === 'memory') {
      // One in-memory "database" per side, shared by that side's adapters.
      container.bind(InMemoryWriteStore).toSelf();
      bindPort(UserRepository, InMemoryUserRepository);
      bindPort(FollowRepository, InMemoryFollowRepository);
      bindPort(ArticleRepository, InMemoryArticleRepository);
      bindPort(FavoriteRepository, InMemoryFavoriteRepository);
      bindPort(CommentRepository, InMemoryCommentRepository);
      bindPort(EventOutbox, InMemoryEventOutbox);
      bindPort(WriteModelSnapshot, InMemoryWriteModelSnapshot);
      // The generations store is also the source the in-memory query adapters read from.
      container.bind(InMemoryReadModelStore).toSelf();
      container.bind(ReadModelStore).toService(InMemoryReadModelStore);
      container.bind(InMemoryReadSource).toService(InMemoryReadModelStore);
      bindings.ReadModelStore = InMemoryReadModelStore.name;
      bindPort(UserReadStore, InMemoryUserReadStore);
      bindPort(ArticleReadStore, InMemoryArticleReadStore);
      bindPort(CommentReadStore, InMemoryCommentReadStore);
      bindPort(RelationshipReadStore, InMemoryRelationshipReadStore);
      bindPort(ReadModelWriter, InMemoryReadModelWriter);
    } else {
      const orm = await createSqlOrm({
        databaseUrl: config.databaseUrl,
        dataDir: `${config.dataDir}/pglite`,
        poolSize: config.databasePoolSize,
        log: (message) => logger.info({ component: 'mikro-orm' }, message),
      });
      closers.push(() => orm.close(true));
      container.bind<SqlOrm>(SqlOrmToken).toConstantValue(orm);
      bindings.WriteDatabase = config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir}/pglite)`;
      readiness.push({
        name: 'database',
        check: async () => {
          await orm.em.fork().getConnection().execute('select 1');
        },
      });
      bindPort(UserRepository, MikroOrmUserRepository);
      bindPort(FollowRepository, MikroOrmFollowRepository);
      bindPort(ArticleRepository, MikroOrmArticleRepository);
      bindPort(FavoriteRepository, MikroOrmFavoriteRepository);
      bindPort(CommentRepository, MikroOrmCommentRepository);
      bindPort(EventOutbox, MikroOrmEventOutbox);
      bindPort(WriteModelSnapshot, MikroOrmWriteModelSnapshot);

      if (config.mongoUrl) {
        const mongo = await createMongoReadOrm(config.mongoUrl);
        closers.push(() => mongo.close(true));
        container.bind<MongoOrm>(MongoOrmToken).toConstantValue(mongo);
        // One generation cache for all the MongoDB adapters, so a swap reaches them together.
        container.bind(MongoReadDatabase).toSelf();
        readiness.push({ name: 'read-store', check: () => pingMongo(mongo) });
        bindings.ReadDatabase = 'MongoDB';
        bindPort(ReadModelStore, MongoReadModelStore);
        bindPort(UserReadStore, MongoUserReadStore);
        bindPort(ArticleReadStore, MongoArticleReadStore);
        bindPort(CommentReadStore, MongoCommentReadStore);
        bindPort(RelationshipReadStore, MongoRelationshipReadStore);
        bindPort(ReadModelWriter, MongoReadModelWriter);
      } else {
        // One active-generation cache per process for every SQL read adapter.
        container.bind(SqlActiveGeneration).toSelf();
        bindPort(ReadModelStore, SqlReadModelStore);
        bindPort(UserReadStore, SqlUserReadStore);
        bindPort(ArticleReadStore, SqlArticleReadStore);
        bindPort(CommentReadStore, SqlCommentReadStore);
        bindPort(RelationshipReadStore, SqlRelationshipReadStore);
        bindPort(ReadModelWriter, SqlReadModelWriter);
      }
    }
    const generation = await ensureActiveGeneration(container.get<ReadModelStore>(ReadModelStore));
    bindings.ReadModelGeneration = generation;

    const sink = new LoggingProjectionFailureSink(logger);
    container.bind(ProjectionFailureSink).toConstantValue(sink);
    container.bind<ProjectorOptions>(ProjectorOptions).toConstantValue({
      owner: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      batchSize: config.projectorBatchSize,
      leaseMs: config.projectorLeaseMs,
      maxAttempts: config.projectorMaxAttempts,
      retryDelayMs: 500,
      maxRetryDelayMs: 60_000,
    });
    container.bind(ConduitProjection).toSelf();
    container.bind(Projector).toSelf();
    container.bind(ViewerContext).toSelf();
  } catch (error) {
    await close();
    throw error;
  }
  return { container, logger, bindings, readiness, close };
}

export interface Application {
  readonly http: ReturnType<typeof buildHttpApp>;
  /** The use cases, as the HTTP adapter calls them (commands wait for their projections). */
  readonly commands: Commands;
  readonly queries: Queries;
  readonly container: Container;
  readonly logger: Logger;
  readonly bindings: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The API process: infrastructure, use cases wrapped for read-your-writes, HTTP. */
export async function createApplication(config: AppConfig, overrides: ApplicationOverrides = {}): Promise<Application> {
  const infra = await openInfrastructure(config, overrides);
  const { container, logger } = infra;
  const bindings = { ...infra.bindings };
  const projector = container.get(Projector);
  const inline = config.projector === 'inline';
  bindings.Projector = inline ? 'in-process' : 'separate worker processes (npm run worker)';
  const barrier = new OutboxBarrier(
    container.get<EventOutbox>(EventOutbox),
    { timeoutMs: config.readYourWritesTimeoutMs, pollMs: 25 },
    container.get<LoggingProjectionFailureSink>(ProjectionFailureSink),
    inline ? () => projector.catchUp() : undefined,
  );

  const command = <C, O, E extends DomainError>(handler: Newable<CommandHandler<C, O, E>>) => {
    container.bind(handler).toSelf();
    return readYourWrites(container.get(handler), barrier);
  };
  const query = <H>(handler: Newable<H>): H => {
    container.bind(handler).toSelf();
    return container.get(handler);
  };
  const commands: Commands = {
    registerUser: command(RegisterUserHandler),
    loginUser: command(LoginUserHandler),
    updateUser: command(UpdateUserHandler),
    followUser: command(FollowUserHandler),
    unfollowUser: command(UnfollowUserHandler),
    createArticle: command(CreateArticleHandler),
    updateArticle: command(UpdateArticleHandler),
    deleteArticle: command(DeleteArticleHandler),
    favoriteArticle: command(FavoriteArticleHandler),
    unfavoriteArticle: command(UnfavoriteArticleHandler),
    addComment: command(AddCommentHandler),
    deleteComment: command(DeleteCommentHandler),
  };
  const queries: Queries = {
    getCurrentUser: query(GetCurrentUserHandler),
    getProfile: query(GetProfileHandler),
    getArticle: query(GetArticleHandler),
    listArticles: query(ListArticlesHandler),
    getFeed: query(GetFeedHandler),
    listComments: query(ListCommentsHandler),
    getComment: query(GetCommentHandler),
    getTags: query(GetTagsHandler),
  };

  const tokens = new JwtTokenService(resolveJwtSecret(config, logger), config.jwtTtlSeconds);
  const http = buildHttpApp({
    commands,
    queries,
    tokens,
    logger,
    readiness: infra.readiness,
    options: {
      bodyLimit: config.bodyLimitBytes,
      corsOrigins: config.corsOrigins,
      rateLimitPerMinute: config.rateLimitPerMinute,
      trustProxy: config.trustProxy,
    },
  });

  let timer: NodeJS.Timeout | undefined;
  if (inline) {
    // Events committed before a crash (or whose projection failed) are applied now and
    // then retried in the background; requests still wait for their own events.
    await projector.replayMarkedEvents();
    await projector.catchUp();
    timer = setInterval(() => void projector.catchUp(), BACKGROUND_CATCH_UP_MS);
    timer.unref();
  }

  logger.info({ bindings }, 'adapters bound');
  return {
    http,
    commands,
    queries,
    container,
    logger,
    bindings,
    close: async () => {
      if (timer) clearInterval(timer);
      await http.close();
      if (inline) await projector.catchUp();
      await infra.close();
    },
  };
}

export interface ProjectorWorker {
  readonly logger: Logger;
  readonly bindings: Readonly<Record<string, string>>;
  /** Projects until `signal` aborts, finishing the batch in progress. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A projector process (`npm run worker`): the same stores and projections, no HTTP. */
export async function createProjectorWorker(
  config: AppConfig,
  overrides: ApplicationOverrides = {},
): Promise<ProjectorWorker> {
  const infra = await openInfrastructure(config, overrides);
  const projector = infra.container.get(Projector);
  const bindings = { ...infra.bindings, Projector: 'worker' };
  infra.logger.info({ bindings }, 'projector worker started');
  return {
    logger: infra.logger,
    bindings,
    run: async (signal) => {
      await projector.replayMarkedEvents();
      await projector.runUntil(signal, WORKER_IDLE_MS);
    },
    close: () => infra.close(),
  };
}

const portName = (port: ServiceIdentifier): string =>
  typeof port === 'symbol' ? (port.description ?? String(port)) : typeof port === 'function' ? port.name : String(port);
