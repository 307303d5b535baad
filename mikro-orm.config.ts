import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import { writeModelEntities } from './src/adapters/postgres/entities.js';
import { migrations } from './src/adapters/postgres/migrations/index.js';

/**
 * For the MikroORM CLI only (`npm run migration:create`, against DATABASE_URL). The
 * application opens its database through `createSqlOrm` (src/adapters/postgres/orm.ts),
 * which applies the same mappings and migrations to PostgreSQL or PGlite. New migrations
 * are written to src/adapters/postgres/migrations and must be added to its index.ts.
 */
export default defineConfig({
  clientUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  entities: writeModelEntities,
  extensions: [Migrator],
  migrations: {
    path: './src/adapters/postgres/migrations',
    pathTs: './src/adapters/postgres/migrations',
    migrationsList: migrations,
    emit: 'ts',
    snapshot: false,
  },
  discovery: { warnWhenNoEntities: false },
});
