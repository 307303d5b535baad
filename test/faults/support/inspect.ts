import type { Container } from 'inversify';
import { pino } from 'pino';
import type { SqlDatabase, SqlExecutor } from '../../../src/adapters/sql/sql-database.js';
import { loadConfig } from '../../../src/config/config.js';
import { compose } from '../../../src/container.js';
import { TEST_JWT_SECRET } from '../../support/app.js';
import { auditReadModels } from '../../support/read-model-audit.js';
import type { Settings } from './processes.js';

/**
 * The test's own view of what the processes under test built: the read stores (SQL, or
 * the MongoDB the settings name) through the same composition, so the read models can be
 * compared with the write model row for row.
 */
export interface ReadModelInspector {
  readonly container: Container;
  /** Differences between the read models and the write model (empty: identical). */
  audit(): Promise<string[]>;
  close(): Promise<void>;
}

export async function inspectReadModels(db: SqlDatabase, settings: Settings = {}): Promise<ReadModelInspector> {
  const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ...settings } as NodeJS.ProcessEnv);
  const composition = await compose(config, 'worker', { logger: pino({ level: 'silent' }), database: db });
  return {
    container: composition.container,
    audit: () => auditReadModels(db, composition.container),
    close: () => composition.close(),
  };
}

/** The projector's queue: events still to do (leased or not), and parked ones. */
export async function projectorQueue(db: SqlExecutor): Promise<{ readonly pending: number; readonly parked: number }> {
  const [row] = await db.query<{ pending: number; parked: number }>(
    `select count(*) filter (where parked_at is null)::int as pending,
            count(*) filter (where parked_at is not null)::int as parked
       from outbox_pending where subscriber = 'projector'`,
  );
  return { pending: row?.pending ?? 0, parked: row?.parked ?? 0 };
}

/** How many events the outbox holds (every committed write appends at least one). */
export async function outboxSize(db: SqlExecutor): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from outbox`);
  return row?.n ?? 0;
}
