import { inject, injectable } from 'inversify';
import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import type { ReadModelWriter } from '../../application/read-side/read-model.writer.js';
import { projectArticle, projectArticleDeleted } from './mongo-article-projection.js';
import { projectComment, projectCommentDeleted } from './mongo-comment-projection.js';
import { translatingOutages } from './mongo-outage.js';
import {
  assertGenerationName,
  MongoActiveCollections,
  MongoReadDatabase,
  type GenerationCollections,
} from './mongo-read-database.js';
import { projectFavorite, projectFollow } from './mongo-relationship-projection.js';
import { projectUser } from './mongo-user-projection.js';
import { GENERATION_MARKER } from './read-model.documents.js';

/** A write into a generation that was never prepared, was dropped, or lost its data. */
export class GenerationNotIntact extends Error {
  override readonly name = 'GenerationNotIntact';
}

/**
 * Applies read-model changes to one generation, change by change, with exactly the rules
 * of read-model-rules.ts and without transactions or locks (a standalone mongod has none;
 * nothing here may assume them, and changes before a failing one stay applied). Every
 * change is a sequence of single-document atomic writes, each guarded, ordered so that:
 *
 * - Version guards: a change is applied only over an older stored version; a repeat or a
 *   late change leaves what the newest one made.
 * - Counts are maintained, never recounted, and exact under retries, repeats, concurrent
 *   writers and a writer killed between any two steps (mongo-count-ledger.ts, ADR 011).
 * - Write, then check: content of an article is written first and the article's tombstone
 *   checked after; a deletion writes the tombstone first and sweeps after. Whichever runs
 *   second sees the other, so nothing outlives a deletion.
 * - Retry completes: a writer that died between two steps left state from which applying
 *   the same change again finishes the job (the projector does that: the event was never
 *   acknowledged).
 *
 * One file per aggregate family holds its projections: users, articles (and deletions),
 * relationships, comments; counts are the ledger's.
 */
export class MongoGenerationWriter implements ReadModelWriter {
  constructor(private readonly target: () => Promise<GenerationCollections>) {}

  /** A writer that fills one given generation (a rebuild), active or not. */
  static of(db: MongoReadDatabase, generation: string): MongoGenerationWriter {
    const collections = db.collections(assertGenerationName(generation));
    return new MongoGenerationWriter(async () => collections);
  }

  apply(changes: readonly ReadModelChange[]): Promise<void> {
    return translatingOutages(async () => {
      const c = await this.target();
      // One look per batch: a generation that lost its data must not be filled partly
      // (the projector retries, and its repair prepares the generation again first).
      const marker = await c.marker.findOne({ _id: GENERATION_MARKER }, { projection: { state: 1 } });
      if (marker?.state !== 'ready')
        throw new GenerationNotIntact(
          `mongo read model: generation "${c.generation}" is not prepared (or lost its data)`,
        );
      for (const change of changes) await applyChange(c, change);
    });
  }
}

/** The live writer (the ReadModelWriter port): projects into the generation this process serves. */
@injectable()
export class MongoReadModelWriter implements ReadModelWriter {
  private readonly writer: MongoGenerationWriter;

  constructor(@inject(MongoActiveCollections) active: MongoActiveCollections) {
    this.writer = new MongoGenerationWriter(() => active.get());
  }

  apply(changes: readonly ReadModelChange[]): Promise<void> {
    return this.writer.apply(changes);
  }
}

function applyChange(c: GenerationCollections, change: ReadModelChange): Promise<void> {
  switch (change.kind) {
    case 'user':
      return projectUser(c, change);
    case 'follow':
      return projectFollow(c, change);
    case 'article':
      return projectArticle(c, change);
    case 'article-deleted':
      return projectArticleDeleted(c, change);
    case 'favorite':
      return projectFavorite(c, change);
    case 'comment':
      return projectComment(c, change);
    case 'comment-deleted':
      return projectCommentDeleted(c, change);
  }
}
