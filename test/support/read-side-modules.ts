import { Container } from 'inversify';
import { ActiveGeneration, ensureActiveGeneration } from '../../src/application/read-side/active-generation.js';
import { ArticleReadStore } from '../../src/application/read-side/article.read-store.js';
import { CommentReadStore } from '../../src/application/read-side/comment.read-store.js';
import { ReadModelGenerations } from '../../src/application/read-side/read-model-generations.js';
import { ReadModelWriter } from '../../src/application/read-side/read-model.writer.js';
import { RelationshipReadStore } from '../../src/application/read-side/relationship.read-store.js';
import { UserReadStore } from '../../src/application/read-side/user.read-store.js';
import { memoryModule } from '../../src/adapters/memory/memory.module.js';
import { SqlDatabase } from '../../src/adapters/sql/sql-database.js';
import { sqlReadStoreModule } from '../../src/adapters/sql/sql-read-store.module.js';
import { readStoresOf, type ReadStores } from '../contract/read-store/read-store.fixtures.js';
import { openTestDatabase, type SqlKind, type TestSqlDatabase } from './sql.js';

/**
 * One process's worth of read-side adapters, built from the same container module the
 * composition root loads (never bound by hand here): what the store contract suites run on.
 */
export interface ReadSideOfOneProcess {
  readonly container: Container;
  readonly generations: ReadModelGenerations;
  readonly active: ActiveGeneration;
  /** The live writer and the query adapters, all following the active generation. */
  readonly stores: ReadStores;
}

const of = (container: Container): ReadSideOfOneProcess => ({
  container,
  generations: container.get<ReadModelGenerations>(ReadModelGenerations),
  active: container.get(ActiveGeneration),
  stores: readStoresOf({
    writer: container.get<ReadModelWriter>(ReadModelWriter),
    users: container.get<UserReadStore>(UserReadStore),
    articles: container.get<ArticleReadStore>(ArticleReadStore),
    comments: container.get<CommentReadStore>(CommentReadStore),
    relationships: container.get<RelationshipReadStore>(RelationshipReadStore),
  }),
});

const container = () => new Container({ defaultScope: 'Singleton', autobind: true });

/** The SQL read store of one process over a (test) database. */
export function sqlReadSide(db: SqlDatabase): ReadSideOfOneProcess {
  const c = container();
  c.bind(SqlDatabase).toConstantValue(db);
  c.load(sqlReadStoreModule());
  return of(c);
}

/**
 * A test database of `kind` with the SQL read side of one process on it, wired as the
 * container wires it (every adapter follows the active generation), and that generation
 * prepared. Its owner closes `db`.
 */
export async function openSqlReadSide(kind: SqlKind): Promise<{ db: TestSqlDatabase; side: ReadSideOfOneProcess; generation: string }> {
  const db = await openTestDatabase(kind);
  const side = sqlReadSide(db.db);
  return { db, side, generation: await ensureActiveGeneration(side.generations) };
}

/** The in-memory read store of one process. */
export function memoryReadSide(): ReadSideOfOneProcess {
  const c = container();
  c.load(memoryModule());
  return of(c);
}
