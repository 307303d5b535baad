import { inject, injectable } from 'inversify';
import type { Collection, Document } from 'mongodb';
import type { ReadModelStore } from '../../application/projections/read-model.store.js';
import type { ReadModelWriter } from '../../application/projections/read-model.writer.js';
import { eqText } from './filter-values.js';
import { assertGenerationName, MongoReadDatabase } from './mongo-read-database.js';
import { MongoReadModelWriter } from './mongo-read-model.writer.js';
import { READ_COLLECTIONS, type ReadCollectionRole } from './read-model.documents.js';
import { READ_MODEL_INDEXES } from './read-model.indexes.js';

const ROLES = Object.keys(READ_COLLECTIONS) as ReadCollectionRole[];

const registryId = (generation: string): string => `generation:${generation}`;

/** The server has no such command (the test emulator lacks `drop`), or no such collection. */
const isMissingCommandOrCollection = (error: unknown): boolean => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 59 || code === 26;
};

/**
 * Generations in MongoDB. A generation is a set of collections named `<generation>_<role>`;
 * `rm_meta` holds one document per prepared generation (`_id: 'generation:<name>'`, so
 * listing does not depend on listCollections) and the pointer `_id: 'active'` with the
 * served generation and the replay mark. `activate` replaces the pointer in one
 * single-document write, which MongoDB applies atomically: every reader sees the old
 * generation or the new one, never a mix. Processes notice within GENERATION_TTL_MS
 * (MongoReadDatabase caches the pointer that long); this process at once.
 */
@injectable()
export class MongoReadModelStore implements ReadModelStore {
  readonly kind = 'mongodb';

  constructor(@inject(MongoReadDatabase) private readonly db: MongoReadDatabase) {}

  /** Creates every index of the generation (createIndexes is idempotent) and registers it. */
  async prepare(generation: string): Promise<void> {
    assertGenerationName(generation);
    const collections = this.db.collections(generation);
    await Promise.all(
      ROLES.map(async (role) => {
        const indexes = READ_MODEL_INDEXES[role];
        const collection = collections[role] as unknown as Collection<Document>;
        // On a real server this also creates the collection; ones without secondary indexes
        // come into being with their first document.
        if (indexes.length > 0) await collection.createIndexes([...indexes]);
      }),
    );
    await this.db.generationRegistry().updateOne(
      { _id: eqText(registryId(generation)) },
      { $setOnInsert: { _id: registryId(generation), kind: 'generation', name: generation, preparedAt: new Date() } },
      { upsert: true },
    );
  }

  async activeGeneration(): Promise<string | null> {
    const pointer = await this.db.activePointer().findOne({ _id: { $eq: 'active' } });
    return pointer?.generation ?? null;
  }

  async activate(generation: string, replayFrom: number): Promise<void> {
    assertGenerationName(generation);
    if (!Number.isSafeInteger(replayFrom) || replayFrom < 0)
      throw new Error(`mongo read model: replay mark ${String(replayFrom)} is not an outbox position`);
    const known = await this.db.generationRegistry().findOne({ _id: eqText(registryId(generation)) });
    if (!known) throw new Error(`mongo read model: generation "${generation}" was never prepared`);
    await this.db.activePointer().updateOne(
      { _id: { $eq: 'active' } },
      { $set: { generation, replayFrom, activatedAt: new Date() }, $setOnInsert: { _id: 'active' } },
      { upsert: true },
    );
    this.db.forgetActiveGeneration();
  }

  writerFor(generation: string): ReadModelWriter {
    return MongoReadModelWriter.forGeneration(this.db, assertGenerationName(generation));
  }

  async listGenerations(): Promise<string[]> {
    const docs = await this.db
      .generationRegistry()
      .find({ kind: { $eq: 'generation' } }, { projection: { name: 1 } })
      .sort({ preparedAt: 1, name: 1 })
      .toArray();
    return docs.map((d) => d.name);
  }

  /**
   * Drops the collections, then forgets the generation (so a drop that fails half-way
   * still lists it, and can be run again). A server without `drop` (the test emulator)
   * gets its collections emptied instead.
   */
  async drop(generation: string): Promise<void> {
    assertGenerationName(generation);
    if ((await this.activeGeneration()) === generation)
      throw new Error(`mongo read model: generation "${generation}" is active and cannot be dropped`);
    const collections = this.db.collections(generation);
    await Promise.all(
      ROLES.map(async (role) => {
        const collection = collections[role] as unknown as Collection<Document>;
        try {
          await collection.drop();
        } catch (error) {
          if (!isMissingCommandOrCollection(error)) throw error;
          await collection.deleteMany({});
        }
      }),
    );
    await this.db.generationRegistry().deleteOne({ _id: eqText(registryId(generation)) });
  }

  async replayFrom(): Promise<number | null> {
    const pointer = await this.db.activePointer().findOne({ _id: { $eq: 'active' } });
    return pointer?.replayFrom ?? null;
  }

  async clearReplayFrom(): Promise<void> {
    await this.db.activePointer().updateOne({ _id: { $eq: 'active' } }, { $set: { replayFrom: null } });
  }

}
