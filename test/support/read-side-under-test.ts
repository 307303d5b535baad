import { pino } from 'pino';
import { ActiveGeneration } from '../../src/application/read-side/active-generation.js';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { CommentReadStore } from '../../src/application/read-side/comment.read-store.js';
import { EventOutbox } from '../../src/application/read-side/event-outbox.js';
import { changeOf } from '../../src/application/read-side/read-model-changes.js';
import { ReadModelGenerations } from '../../src/application/read-side/read-model-generations.js';
import { ReadModelWriter } from '../../src/application/read-side/read-model.writer.js';
import { ReadSideStartup } from '../../src/application/read-side/read-side-startup.js';
import { RebuildReadModelsHandler } from '../../src/application/read-side/rebuild-read-models.js';
import { RelationshipReadStore } from '../../src/application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../src/application/read-side/user.read-store.js';
import { assembleUseCases, type UseCases } from '../../src/application/use-cases.js';
import { InMemoryWriteStore } from '../../src/adapters/memory/in-memory-write-store.js';
import { InMemoryReadModelGenerations } from '../../src/adapters/memory/in-memory-read-model-generations.js';
import { compose, type Composition } from '../../src/container.js';
import { loadConfig } from '../../src/config/config.js';
import { readStoresOf, type ReadStores } from '../contract/read-store/read-store.fixtures.js';
import { dropGenerationSchemas } from './read-model-sql.js';
import { openTestDatabase, type SqlKind, type TestSqlDatabase } from './sql.js';
import { PlainTextHasher } from './use-cases.js';

export type ReadSideKind = 'memory' | SqlKind;

/**
 * The write side, the read side and the projection of one adapter family, built by the real
 * composition root (as a worker: nothing leases its own events, nothing projects by itself),
 * without HTTP or timers: `project()` applies the outbox when the test says.
 */
export interface ReadSideUnderTest {
  readonly kind: ReadSideKind;
  readonly composition: Composition;
  /** The use-case handlers as built from the registry, with no wrapper (no read-your-writes). */
  readonly commands: UseCases;
  readonly store: ReadModelGenerations;
  readonly outbox: EventOutbox;
  /** The live writer and query adapters (they follow the active generation). */
  readonly stores: ReadStores;
  readonly rebuild: RebuildReadModelsHandler;
  /** Applies every event not applied yet by this helper, in outbox order. */
  project(): Promise<void>;
  /** Tells this process's readers that the active generation changed. */
  swapped(): void;
  /** Empties the write model, the outbox and every read model (a fresh first generation). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function openReadSide(kind: ReadSideKind): Promise<ReadSideUnderTest> {
  const db: TestSqlDatabase | null = kind === 'memory' ? null : await openTestDatabase(kind);
  const config = loadConfig({ NODE_ENV: 'test', STORAGE: kind === 'memory' ? 'memory' : 'sql', PROJECTOR: 'inline' });
  const composition = await compose(config, 'worker', {
    logger: pino({ level: 'silent' }),
    passwordHasher: new PlainTextHasher(),
    ...(db && { database: db.db }),
  });
  const { container } = composition;
  const store = container.get<ReadModelGenerations>(ReadModelGenerations);
  const outbox = container.get<EventOutbox>(EventOutbox);
  const writer = container.get<ReadModelWriter>(ReadModelWriter);
  let projected = 0;

  return {
    kind,
    composition,
    commands: assembleUseCases((handler) => container.get(handler), []),
    store,
    outbox,
    stores: readStoresOf({
      writer,
      users: container.get<UserReadStore>(UserReadStore),
      articles: container.get<ArticleReadStore>(ArticleReadStore),
      comments: container.get<CommentReadStore>(CommentReadStore),
      relationships: container.get<RelationshipReadStore>(RelationshipReadStore),
    }),
    rebuild: container.get(RebuildReadModelsHandler),
    project: async () => {
      for (;;) {
        const entries = await outbox.readAfter(projected, 500);
        if (entries.length === 0) return;
        for (const entry of entries) {
          await writer.apply([changeOf(entry.event)]);
          projected = entry.position;
        }
      }
    },
    swapped: () => container.get(ActiveGeneration).forget(),
    reset: async () => {
      projected = 0;
      if (db) {
        await db.truncate();
        await dropGenerationSchemas(db.db);
      } else {
        container.get(InMemoryWriteStore).clear();
        const generations = container.get(InMemoryReadModelGenerations);
        for (const generation of await generations.listGenerations()) generations.loseData(generation);
      }
      container.get(ActiveGeneration).forget();
      await container.get(ReadSideStartup).prepare();
      await store.clearReplayFrom();
    },
    close: async () => {
      await composition.close();
      await db?.close();
    },
  };
}
