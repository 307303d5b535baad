import { randomUUID } from 'node:crypto';
import { inject, injectable } from 'inversify';
import type { ReadModelGenerations } from '../../application/read-side/read-model-generations.js';
import type { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import { eqText } from './filter-values.js';
import { isDuplicateKey } from './mongo-guarded-writes.js';
import { translatingOutages } from './mongo-outage.js';
import {
  anyCollection,
  assertGenerationName,
  emptyGeneration,
  MongoReadDatabase,
  READ_ROLES,
  type GenerationCollections,
} from './mongo-read-database.js';
import { MongoGenerationWriter } from './mongo-read-model.writer.js';
import {
  GENERATION_MARKER,
  type ActiveGenerationDocument,
  type GenerationDocument,
  type GenerationMarkerDocument,
  type SequenceDocument,
} from './read-model.documents.js';
import { READ_MODEL_INDEXES } from './read-model.indexes.js';

const registryId = (generation: string): string => `generation:${generation}`;

/** How often a process waiting for another's preparation looks, and when it takes over. */
const PREPARE_POLL_MS = 50;
const PREPARE_ABANDONED_MS = 30_000;

/** The server has no such command (the test emulator lacks `drop`), or no such collection. */
const isMissingCommandOrCollection = (error: unknown): boolean => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 59 || code === 26;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Generations in MongoDB. A generation is a set of collections named `<generation>_<role>`
 * plus a marker document in its `counts` collection that says it is whole. `rm_meta` holds
 * one document per prepared generation (`generation:<name>`, so listing does not depend on
 * listCollections) and the pointer `active` with the served generation and the replay
 * mark. `activate` replaces the pointer in one single-document write, which MongoDB applies
 * atomically: every reader sees the old generation or the new one, never a mix.
 *
 * The marker lives with the data, so whatever loses the data loses it too: a MongoDB
 * restarted empty (then the pointer is gone as well), a dropped or emptied generation.
 * `isIntact` reads it; writers refuse a generation without it.
 */
@injectable()
export class MongoReadModelGenerations implements ReadModelGenerations {
  readonly kind = 'mongodb';

  constructor(@inject(MongoReadDatabase) private readonly db: MongoReadDatabase) {}

  /**
   * Creates every index and the marker, idempotently. A generation without its marker
   * (new, or one that lost part of its data) is emptied first, so that it is filled again
   * from nothing: counts left over without their documents, or documents without their
   * counts, would otherwise never add up. One process at a time does that (the marker,
   * inserted as `preparing`, is the lock); the others wait until it is `ready`.
   */
  prepare(generation: string): Promise<void> {
    return translatingOutages(async () => {
      const c = this.db.collections(assertGenerationName(generation));
      const me = randomUUID();
      for (;;) {
        const marker = await c.marker.findOne({ _id: GENERATION_MARKER });
        if (marker?.state === 'ready') {
          await this.createIndexes(c);
          return this.register(generation);
        }
        if (await this.claim(c, marker, me)) break;
        await sleep(PREPARE_POLL_MS);
      }
      await emptyGeneration(c);
      await this.createIndexes(c);
      await this.register(generation);
      const done = await c.marker.updateOne(
        { _id: GENERATION_MARKER, owner: { $eq: me } },
        { $set: { state: 'ready', preparedAt: new Date() }, $unset: { owner: '', since: '' } },
      );
      if (done.matchedCount === 0)
        throw new Error(`mongo read model: the preparation of "${generation}" was taken over by another process`);
    });
  }

  /** Makes `me` the one preparer: inserts the marker, or takes over one abandoned long ago. */
  private async claim(c: GenerationCollections, marker: GenerationMarkerDocument | null, me: string): Promise<boolean> {
    if (marker === null) {
      try {
        await c.marker.insertOne({ _id: GENERATION_MARKER, state: 'preparing', owner: me, since: new Date() });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const since = marker.since?.getTime() ?? 0;
    if (Date.now() - since < PREPARE_ABANDONED_MS) return false;
    const taken = await c.marker.updateOne(
      { _id: GENERATION_MARKER, state: { $eq: 'preparing' }, owner: { $eq: marker.owner ?? '' } },
      { $set: { owner: me, since: new Date() } },
    );
    return taken.matchedCount === 1;
  }

  /** createIndexes is idempotent for identical definitions; on a real server it also creates the collection. */
  private async createIndexes(c: GenerationCollections): Promise<void> {
    await Promise.all(
      READ_ROLES.map(async (role) => {
        const indexes = READ_MODEL_INDEXES[role];
        if (indexes.length > 0) await anyCollection(c, role).createIndexes([...indexes]);
      }),
    );
  }

  /** Lists the generation, in preparation order (once: a repeated prepare keeps its place). */
  private async register(generation: string): Promise<void> {
    const registry = this.db.meta<GenerationDocument>();
    if (await registry.findOne({ _id: eqText(registryId(generation)) }, { projection: { _id: 1 } })) return;
    const sequence = await this.db
      .meta<SequenceDocument>()
      .findOneAndUpdate({ _id: 'sequence' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    try {
      await registry.updateOne(
        { _id: registryId(generation) },
        { $setOnInsert: { kind: 'generation', name: generation, order: sequence?.n ?? 0, preparedAt: new Date() } },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // registered concurrently: the same result
    }
  }

  isIntact(generation: string): Promise<boolean> {
    return translatingOutages(async () => {
      const c = this.db.collections(assertGenerationName(generation));
      const marker = await c.marker.findOne({ _id: GENERATION_MARKER }, { projection: { state: 1 } });
      return marker?.state === 'ready';
    });
  }

  activeGeneration(): Promise<string | null> {
    return translatingOutages(async () => (await this.pointer())?.generation ?? null);
  }

  activate(generation: string, replayFrom: number): Promise<void> {
    return translatingOutages(async () => {
      assertGenerationName(generation);
      if (!Number.isSafeInteger(replayFrom) || replayFrom < 0)
        throw new Error(`mongo read model: replay mark ${String(replayFrom)} is not an outbox position`);
      if (!(await this.isIntact(generation)))
        throw new Error(`mongo read model: generation "${generation}" was never prepared (or lost its data)`);
      await this.db
        .meta<ActiveGenerationDocument>()
        .updateOne({ _id: 'active' }, { $set: { generation, replayFrom, activatedAt: new Date() } }, { upsert: true });
    });
  }

  writerFor(generation: string): ReadModelWriter {
    return MongoGenerationWriter.of(this.db, assertGenerationName(generation));
  }

  listGenerations(): Promise<string[]> {
    return translatingOutages(async () => {
      const docs = await this.db
        .meta<GenerationDocument>()
        .find({ kind: { $eq: 'generation' } }, { projection: { name: 1, order: 1 } })
        .sort({ order: 1, name: 1 })
        .toArray();
      return docs.map((d) => d.name);
    });
  }

  /**
   * Removes the marker first (a drop that fails half-way leaves a generation that reads as
   * not whole, and can be dropped again), then the collections, then the listing. A server
   * without `drop` (the test emulator) gets its collections emptied instead.
   */
  drop(generation: string): Promise<void> {
    return translatingOutages(async () => {
      assertGenerationName(generation);
      if ((await this.activeGeneration()) === generation)
        throw new Error(`mongo read model: generation "${generation}" is active and cannot be dropped`);
      const c = this.db.collections(generation);
      await c.marker.deleteOne({ _id: GENERATION_MARKER });
      await Promise.all(
        READ_ROLES.map(async (role) => {
          const collection = anyCollection(c, role);
          try {
            await collection.drop();
          } catch (error) {
            if (!isMissingCommandOrCollection(error)) throw error;
            await collection.deleteMany({});
          }
        }),
      );
      await this.db.meta<GenerationDocument>().deleteOne({ _id: eqText(registryId(generation)) });
    });
  }

  replayFrom(): Promise<number | null> {
    return translatingOutages(async () => (await this.pointer())?.replayFrom ?? null);
  }

  clearReplayFrom(): Promise<void> {
    return translatingOutages(async () => {
      await this.db.meta<ActiveGenerationDocument>().updateOne({ _id: 'active' }, { $set: { replayFrom: null } });
    });
  }

  private pointer(): Promise<ActiveGenerationDocument | null> {
    return this.db.meta<ActiveGenerationDocument>().findOne({ _id: { $eq: 'active' } });
  }
}
