/** The steps of a rebuild, in order, as progress reports name them. */
export type RebuildStep =
  /** Waiting for writes that were in flight at the start to commit. */
  | 'settle'
  | 'users'
  | 'articles'
  | 'follows'
  | 'favorites'
  | 'comments'
  /** Recording the deletions from before the copy (the write model no longer holds what they deleted). */
  | 'tombstones'
  /** Replaying the events written during the copy, before the swap. */
  | 'catch-up'
  /** After the swap: waiting for every process to leave the old generation. */
  | 'drain'
  /** Replaying again, for what processes still on the old generation projected there. */
  | 'final-replay'
  | 'cleanup';

/** Where a rebuild reports how far it is (the CLI draws bars). Awaited: a slow reporter slows the rebuild. */
export interface RebuildProgress {
  /** `total` items are expected: rows, events (an estimate: writes go on meanwhile), 0 for waits. */
  started(step: RebuildStep, total: number): void | Promise<void>;
  advanced(step: RebuildStep, count: number): void | Promise<void>;
  finished(step: RebuildStep): void | Promise<void>;
}

export interface RebuildReadModels {
  /** Rows per write-model batch and events per outbox read (default 500). */
  readonly batchSize?: number;
  /** Batches written at once while copying (default 2). */
  readonly concurrency?: number;
  /**
   * How long in-flight work may take to finish: writes holding an outbox position when the
   * rebuild starts, processes still on the old generation after the swap. Default
   * 2 × GENERATION_TTL_MS; shorter only where every reader is in this process (tests).
   */
  readonly graceMs?: number;
  /**
   * Leave the replay mark set after the swap, so the first projector that starts against
   * this store replays every event since the swap. Needed when no projector serves the
   * store yet (moving a deployment from SQL to MongoDB: the SQL projectors mark events
   * applied that MongoDB never saw). Default: kept when the store had a mark pending when
   * the rebuild started (no projector has served it since it was activated), cleared otherwise.
   */
  readonly keepReplayMark?: boolean;
  readonly progress?: RebuildProgress;
  /** Stops the rebuild between batches, up to the swap (the new generation is dropped); ignored after it. */
  readonly signal?: AbortSignal;
}
