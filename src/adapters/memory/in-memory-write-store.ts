import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import {
  OutboxAppendOptions,
  type OutboxEntry,
  type OutboxSubscriber,
} from '../../application/read-side/event-outbox.js';
import { CommitListener } from '../../application/shared/commit-scope.js';
import { concurrentUpdate, referenceGone, type SaveConflict } from '../../application/shared/persistence.js';
import { unsavedEvents } from '../../application/shared/unit-of-work.js';
import type {
  AggregateRoot,
  ArticleState,
  CommentState,
  ConduitEvent,
  FavoriteState,
  FollowState,
  UserState,
} from '../../domain/index.js';
import { LocalOutboxSignals } from './local-outbox-signals.js';
import { copy, ForeignKeyViolation, MemoryTable, pairKey, type RowCheck } from './in-memory-tables.js';

/** What the SQL schema stores for a user: its state plus the key its username is unique by. */
export type UserRow = UserState & { readonly usernameKey: string };

/** One event still to do for one subscriber, with its bookkeeping (as the SQL queue's columns). */
export interface QueuedEvent {
  readonly position: number;
  attempts: number;
  nextAttemptAt: number | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  awaitedUntil: number | null;
  parkedAt: Date | null;
  lastError: string | null;
}

/**
 * The in-memory write database: one table per aggregate, the outbox log and one queue per
 * outbox subscriber, shared by every in-memory repository and the in-memory outbox (bind
 * it once, as a singleton), so memory mode behaves like one database. A save checks
 * everything before it changes anything and never awaits in between, so it is atomic, as
 * the SQL statement is.
 */
@injectable()
export class InMemoryWriteStore {
  readonly users = new MemoryTable<UserRow>('users_pkey', (row) => row.id, {
    users_username_key_unique: (row) => row.usernameKey,
    users_email_unique: (row) => row.email,
  });
  readonly follows = new MemoryTable<FollowState>('follows_pkey', (row) => pairKey(row.followerId, row.followeeId));
  readonly articles = new MemoryTable<ArticleState>('articles_pkey', (row) => row.id, {
    articles_slug_unique: (row) => row.slug,
  });
  readonly favorites = new MemoryTable<FavoriteState>('favorites_pkey', (row) => pairKey(row.userId, row.articleId));
  readonly comments = new MemoryTable<CommentState>('comments_pkey', (row) => String(row.id));
  /** Each article's favourites count, kept by the favourites' saves (the SQL `article_favorite_counts`, summed). */
  readonly favoritesCount = new Map<string, number>();

  /** Position p is at index p - 1: positions start at 1 and the log is never cut. */
  private log: {
    readonly position: number;
    readonly occurredAt: number;
    readonly event: ConduitEvent;
    readonly traceContext: string | undefined;
  }[] = [];
  /** Per subscriber, its events still to do, in position order (a Map keeps insertion order). */
  private readonly queues = new Map<OutboxSubscriber, Map<number, QueuedEvent>>([['projector', new Map()]]);
  private lastCommentId = 0;
  /** `aggregateType:aggregateId:version` of every event, as the outbox's unique constraint. */
  private readonly recordedVersions = new Set<string>();

  constructor(
    @inject(OutboxAppendOptions) private readonly append: OutboxAppendOptions,
    @inject(CommitListener) private readonly commits: CommitListener,
    @inject(LocalOutboxSignals) readonly signals: LocalOutboxSignals,
  ) {}

  nextCommentId(): number {
    this.lastCommentId += 1;
    return this.lastCommentId;
  }

  /**
   * The unit of work of the in-memory repositories, the twin of the SQL one: nothing to do
   * when nothing was recorded; otherwise `checkRow` either refuses (having changed nothing)
   * or hands back the change, which is applied with the events appended and queued for
   * every subscriber; then the aggregate is marked persisted and the commit reported.
   */
  save<E extends ConduitEvent>(
    aggregate: AggregateRoot<E>,
    field: string,
    checkRow: () => RowCheck,
    conflictOf: (constraint: string) => SaveConflict | null,
  ): Result<void, SaveConflict> {
    const events = unsavedEvents(aggregate, field);
    if (events.length === 0) return Ok(undefined);
    // Checked in the order PostgreSQL meets them: the row first, then the outbox rows.
    let row: RowCheck;
    try {
      row = checkRow();
    } catch (error) {
      if (error instanceof ForeignKeyViolation) return Err(referenceGone(field));
      throw error;
    }
    if (row.kind === 'stale') return Err(concurrentUpdate(field));
    if (row.kind === 'unique') {
      const conflict = conflictOf(row.constraint);
      if (conflict === null) throw new Error(`duplicate key value violates unique constraint "${row.constraint}"`);
      return Err(conflict);
    }
    if (events.some((event) => this.recordedVersions.has(versionKey(event)))) return Err(concurrentUpdate(field));

    row.apply();
    const entries = events.map((event) => this.appendEvent(event));
    aggregate.markPersisted();
    this.commits.committed(entries);
    this.signals.announceWork();
    return Ok(undefined);
  }

  /** Removes an article with its comments and favourites, as the SQL foreign keys cascade. */
  deleteArticle(articleId: string): void {
    for (const comment of this.comments.where((row) => row.articleId === articleId))
      this.comments.delete(String(comment.id));
    for (const favorite of this.favorites.where((row) => row.articleId === articleId))
      this.favorites.delete(pairKey(favorite.userId, favorite.articleId));
    this.articles.delete(articleId);
    this.favoritesCount.delete(articleId);
  }

  /** Throws when `primaryKey` is not in `table`, as the foreign key `constraint` would. */
  requireRow(table: { has(primaryKey: string): boolean }, primaryKey: string, constraint: string): void {
    if (!table.has(primaryKey)) throw new ForeignKeyViolation(constraint);
  }

  /**
   * A switched pair's row change, the twin of the SQL upsert: guarded by the version the
   * pair was loaded with; a new pair (version 0) must not be stored yet and must find each
   * row it refers to (`references`: table, key, foreign key name).
   */
  checkPair<Row extends { readonly version: number }>(
    table: MemoryTable<Row>,
    pair: { readonly isNew: boolean; readonly persistedVersion: number; snapshot(): Row },
    references: readonly (readonly [{ has(primaryKey: string): boolean }, string, string])[],
  ): RowCheck {
    const row = pair.snapshot();
    if (!pair.isNew) return table.checkUpdate(row, pair.persistedVersion);
    if (table.holdsKeyOf(row)) return { kind: 'stale' };
    for (const [target, key, constraint] of references) this.requireRow(target, key, constraint);
    return table.checkInsert(row);
  }

  /** The subscriber's queue (registered subscribers only). */
  queueOf(subscriber: OutboxSubscriber): Map<number, QueuedEvent> {
    const queue = this.queues.get(subscriber);
    if (!queue) throw new Error(`outbox subscriber ${subscriber} is not registered`);
    return queue;
  }

  subscribe(subscriber: OutboxSubscriber): void {
    if (!this.queues.has(subscriber)) this.queues.set(subscriber, new Map());
  }

  /** The logged event at `position`, as the subscribers see it. */
  entryAt(position: number, attempts: number): OutboxEntry | null {
    const logged = this.log[position - 1];
    if (logged === undefined) return null;
    return { position, event: copy(logged.event), attempts, ...(logged.traceContext && { traceContext: logged.traceContext }) };
  }

  occurredAt(position: number): number | null {
    return this.log[position - 1]?.occurredAt ?? null;
  }

  /** Every logged event after `position`, in order. */
  logAfter(position: number): readonly { readonly position: number; readonly event: ConduitEvent }[] {
    return this.log.slice(Math.max(0, position));
  }

  get lastPosition(): number {
    return this.log.length;
  }

  /** Empties every table and the outbox and restarts the sequences (tests). */
  clear(): void {
    for (const table of [this.users, this.follows, this.articles, this.favorites, this.comments]) table.clear();
    this.favoritesCount.clear();
    this.log = [];
    for (const queue of this.queues.values()) queue.clear();
    this.recordedVersions.clear();
    this.lastCommentId = 0;
  }

  private appendEvent(event: ConduitEvent): OutboxEntry {
    const position = this.log.length + 1;
    const now = Date.now();
    const traceContext = this.append.traceContext?.();
    this.log.push({ position, occurredAt: event.occurredAt.getTime(), event: copy(event), traceContext });
    this.recordedVersions.add(versionKey(event));
    const { ownLease, awaitMs } = this.append;
    for (const [subscriber, queue] of this.queues) {
      const own = subscriber === 'projector';
      queue.set(position, {
        position,
        attempts: 0,
        nextAttemptAt: null,
        leaseOwner: own && ownLease ? ownLease.owner : null,
        leaseExpiresAt: own && ownLease ? now + ownLease.ms : null,
        awaitedUntil: own && awaitMs > 0 ? now + awaitMs : null,
        parkedAt: null,
        lastError: null,
      });
    }
    return { position, event, attempts: 0, ...(traceContext && { traceContext }) };
  }
}

const versionKey = (event: ConduitEvent): string => `${event.aggregateType}:${event.aggregateId}:${event.version}`;
