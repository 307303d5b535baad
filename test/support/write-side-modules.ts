import { Container } from 'inversify';
import { ArticleRepository } from '../../src/application/articles/article.repository.js';
import { CommentRepository } from '../../src/application/comments/comment.repository.js';
import { FavoriteRepository } from '../../src/application/favorites/favorite.repository.js';
import { FollowRepository } from '../../src/application/profiles/follow.repository.js';
import { ProfileLookup } from '../../src/application/profiles/profile-lookup.js';
import { EventOutbox, OutboxAppendOptions } from '../../src/application/read-side/event-outbox.js';
import { WriteModelSnapshot } from '../../src/application/read-side/write-model-snapshot.js';
import { UserRepository } from '../../src/application/users/user.repository.js';
import { memoryModule } from '../../src/adapters/memory/memory.module.js';
import type { SqlDatabase } from '../../src/adapters/sql/sql-database.js';
import { sqlWriteModule } from '../../src/adapters/sql/sql-write.module.js';
import { AsyncCommitScope } from '../../src/adapters/system/async-commit-scope.js';
import { LocalOutboxSignals } from '../../src/adapters/memory/local-outbox-signals.js';
import { systemModule } from '../../src/adapters/system/system.module.js';
import type { WriteSide } from '../contract/repositories/write-side.contract.js';

/** The trace context the write sides of the tests store with appended events (set by a test, reset after it). */
export const appendedTraceContext: { value: string | undefined } = { value: undefined };

/**
 * One process's write side, built from the same container modules the composition root
 * loads (never bound by hand here): what the repository and outbox contract suites run on.
 * Events are queued without a lease, as a process whose projection runs elsewhere queues them.
 */
export function writeSideIn(storage: 'memory' | SqlDatabase): { readonly side: WriteSide; readonly container: Container } {
  const container = new Container({ defaultScope: 'Singleton', autobind: true });
  container.load(systemModule(), storage === 'memory' ? memoryModule() : sqlWriteModule(storage, new LocalOutboxSignals()));
  container.bind(OutboxAppendOptions).toConstantValue({ ownLease: null, awaitMs: 0, traceContext: () => appendedTraceContext.value });
  return {
    container,
    side: {
      users: container.get<UserRepository>(UserRepository),
      follows: container.get<FollowRepository>(FollowRepository),
      articles: container.get<ArticleRepository>(ArticleRepository),
      favorites: container.get<FavoriteRepository>(FavoriteRepository),
      comments: container.get<CommentRepository>(CommentRepository),
      profiles: container.get<ProfileLookup>(ProfileLookup),
      outbox: container.get<EventOutbox>(EventOutbox),
      snapshot: container.get<WriteModelSnapshot>(WriteModelSnapshot),
      commits: container.get(AsyncCommitScope),
    },
  };
}
