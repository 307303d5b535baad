import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import { writeModelEntities } from './src/adapters/sql/write/entities.js';
import { migrations } from './src/adapters/sql/write/migrations/index.js';

/**
 * For the MikroORM CLI only (`npm run migration:create`, against DATABASE_URL). The
 * application opens its database through `openSqlDatabase` (src/adapters/sql/sql-database.ts),
 * which applies the same mappings and migrations to PostgreSQL or PGlite. New migrations
 * are written to src/adapters/sql/write/migrations and must be added to its index.ts.
 */
export default defineConfig({
  clientUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  entities: writeModelEntities,
  extensions: [Migrator],
  migrations: {
    path: './src/adapters/sql/write/migrations',
    pathTs: './src/adapters/sql/write/migrations',
    migrationsList: migrations,
    emit: 'ts',
    snapshot: false,
  },
  discovery: { warnWhenNoEntities: false },
});
