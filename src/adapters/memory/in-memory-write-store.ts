import { injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import type { OutboxEntry } from '../../application/projections/event-outbox.js';
import { concurrentUpdate, referenceGone, type SaveConflict } from '../../application/shared/persistence.js';
import type {
  AggregateRoot,
  ArticleState,
  CommentState,
  ConduitEvent,
  FavoriteState,
  FollowState,
  UserState,
} from '../../domain/index.js';

/**
 * Rows are copied on the way in and on the way out, as a database would: an aggregate
 * never shares an object with the store, so changing one in memory changes nothing
 * stored until it is saved.
 */
const copy = <T>(value: T): T => structuredClone(value);

/**
 * One table: rows by primary key plus one index per unique constraint. Constraints carry
 * the names the SQL schema gives them, so both adapters fail the same way.
 */
export class MemoryTable<Row extends { readonly version: number }> {
  private readonly rows = new Map<string, Row>();
  private readonly uniques: { name: string; keyOf: (row: Row) => string; index: Map<string, string> }[];

  constructor(
    private readonly primaryKeyName: string,
    private readonly primaryKeyOf: (row: Row) => string,
    uniques: Readonly<Record<string, (row: Row) => string>> = {},
  ) {
    this.uniques = Object.entries(uniques).map(([name, keyOf]) => ({ name, keyOf, index: new Map() }));
  }

  has(primaryKey: string): boolean {
    return this.rows.has(primaryKey);
  }

  get(primaryKey: string): Row | null {
    const row = this.rows.get(primaryKey);
    return row === undefined ? null : copy(row);
  }

  /** The row holding `value` in the unique constraint `constraint`. */
  getUnique(constraint: string, value: string): Row | null {
    const primaryKey = this.uniqueIndex(constraint).get(value);
    return primaryKey === undefined ? null : this.get(primaryKey);
  }

  /** Whether a row other than `exceptPrimaryKey` holds `value` in `constraint`. */
  holds(constraint: string, value: string, exceptPrimaryKey?: string): boolean {
    const holder = this.uniqueIndex(constraint).get(value);
    return holder !== undefined && holder !== exceptPrimaryKey;
  }

  /** Rows matching a predicate (a scan: for cascades, not for look-ups). */
  where(predicate: (row: Row) => boolean): Row[] {
    return [...this.rows.values()].filter(predicate).map(copy);
  }

  /**
   * The constraint `row` would violate if written now, or null. `replacing` is the row's
   * own primary key for an update (it may keep its own unique values).
   */
  private violation(row: Row, replacing?: string): string | null {
    const primaryKey = this.primaryKeyOf(row);
    if (replacing === undefined && this.rows.has(primaryKey)) return this.primaryKeyName;
    for (const unique of this.uniques) {
      const holder = unique.index.get(unique.keyOf(row));
      if (holder !== undefined && holder !== primaryKey) return unique.name;
    }
    return null;
  }

  /** An insert: refused when the primary key or a unique value is taken. */
  checkInsert(row: Row): RowCheck {
    const violated = this.violation(row);
    if (violated !== null) return { kind: 'unique', constraint: violated };
    return { kind: 'ok', apply: () => this.put(row) };
  }

  /** An update of the row stored at `persistedVersion`: stale when it is gone or has moved on. */
  checkUpdate(row: Row, persistedVersion: number): RowCheck {
    const primaryKey = this.primaryKeyOf(row);
    if (this.rows.get(primaryKey)?.version !== persistedVersion) return { kind: 'stale' };
    const violated = this.violation(row, primaryKey);
    if (violated !== null) return { kind: 'unique', constraint: violated };
    return { kind: 'ok', apply: () => this.put(row) };
  }

  /** A delete of the row stored at `persistedVersion`; `remove` does it (and any cascade). */
  checkDelete(primaryKey: string, persistedVersion: number, remove: () => void): RowCheck {
    if (this.rows.get(primaryKey)?.version !== persistedVersion) return { kind: 'stale' };
    return { kind: 'ok', apply: remove };
  }

  private put(row: Row): void {
    const primaryKey = this.primaryKeyOf(row);
    this.unindex(primaryKey);
    const stored = copy(row);
    this.rows.set(primaryKey, stored);
    for (const unique of this.uniques) unique.index.set(unique.keyOf(stored), primaryKey);
  }

  delete(primaryKey: string): boolean {
    this.unindex(primaryKey);
    return this.rows.delete(primaryKey);
  }

  clear(): void {
    this.rows.clear();
    for (const unique of this.uniques) unique.index.clear();
  }

  private unindex(primaryKey: string): void {
    const previous = this.rows.get(primaryKey);
    if (previous === undefined) return;
    for (const unique of this.uniques) unique.index.delete(unique.keyOf(previous));
  }

  private uniqueIndex(constraint: string): Map<string, string> {
    const unique = this.uniques.find((candidate) => candidate.name === constraint);
    if (unique === undefined) throw new Error(`no unique constraint ${constraint}`);
    return unique.index;
  }
}

/** What the SQL schema stores for a user: its state plus the key its username is unique by. */
export type UserRow = UserState & { readonly usernameKey: string };

export const pairKey = (left: string, right: string): string => `${left}:${right}`;

/**
 * The outcome of checking a row change against the tables, before anything is changed:
 * either a refusal a database would also give, or the change, ready to apply.
 */
export type RowCheck =
  /** The version check matched no row (changed or deleted since it was loaded). */
  | { readonly kind: 'stale' }
  /** A unique constraint, by its SQL name. */
  | { readonly kind: 'unique'; readonly constraint: string }
  | { readonly kind: 'ok'; readonly apply: () => void };

/** Thrown for a foreign key violation: a bug or a lost race, never an expected outcome (as in SQL). */
export class ForeignKeyViolation extends Error {
  constructor(readonly constraint: string) {
    super(`insert or update violates foreign key constraint "${constraint}"`);
    this.name = 'ForeignKeyViolation';
  }
}

/** An outbox row, with the projectors' bookkeeping (as the SQL columns). */
export interface StoredEvent {
  readonly position: number;
  readonly event: ConduitEvent;
  appliedAt: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  parkedAt: Date | null;
  lastError: string | null;
}

/**
 * The in-memory write database: one table per aggregate and the outbox, shared by every
 * in-memory repository and the in-memory outbox (bind it once, as a singleton), so memory
 * mode behaves like one database. A save checks everything before it changes anything
 * and never awaits in between, so it is atomic, as the SQL transaction is.
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

  /** Position p is at index p - 1: positions start at 1 and rows are never removed. */
  private outbox: StoredEvent[] = [];
  /** Index of the first unapplied event: `pending` starts there, not at the beginning of history. */
  private firstPending = 0;
  private lastPosition = 0;
  private lastCommentId = 0;
  /** `aggregateType:aggregateId:version` of every event, as the outbox's unique constraint. */
  private readonly recordedVersions = new Set<string>();

  nextCommentId(): number {
    this.lastCommentId += 1;
    return this.lastCommentId;
  }

  /**
   * The unit of work of the in-memory repositories, the twin of the SQL one: nothing to
   * do when nothing was recorded; otherwise `checkRow` either refuses (having changed
   * nothing) or hands back the change, which is applied with the events appended; then
   * `markPersisted`. `conflictOf` turns a unique refusal into the repository's SaveConflict.
   */
  save<E extends ConduitEvent>(
    aggregate: AggregateRoot<E>,
    field: string,
    checkRow: () => RowCheck,
    conflictOf: (constraint: string) => SaveConflict | null,
  ): Result<void, SaveConflict> {
    if (aggregate.version === aggregate.persistedVersion) return Ok(undefined);
    const events = aggregate.pullEvents();
    if (events.length !== aggregate.version - aggregate.persistedVersion)
      throw new Error(
        `${field}: ${aggregate.version - aggregate.persistedVersion} unsaved version(s) but ${events.length} event(s); ` +
          'reload the aggregate after a failed save',
      );
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
    for (const event of events) {
      this.lastPosition += 1;
      this.outbox.push({
        position: this.lastPosition,
        event: copy(event),
        appliedAt: null,
        attempts: 0,
        nextAttemptAt: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        parkedAt: null,
        lastError: null,
      });
      this.recordedVersions.add(versionKey(event));
    }
    aggregate.markPersisted();
    return Ok(undefined);
  }

  /** Removes an article with its comments and favourites, as the SQL foreign keys cascade. */
  deleteArticle(articleId: string): void {
    for (const comment of this.comments.where((row) => row.articleId === articleId))
      this.comments.delete(String(comment.id));
    for (const favorite of this.favorites.where((row) => row.articleId === articleId))
      this.favorites.delete(pairKey(favorite.userId, favorite.articleId));
    this.articles.delete(articleId);
  }

  /** Throws when `primaryKey` is not in `table`, as the foreign key `constraint` would. */
  requireRow<Row extends { readonly version: number }>(
    table: MemoryTable<Row>,
    primaryKey: string,
    constraint: string,
  ): void {
    if (!table.has(primaryKey)) throw new ForeignKeyViolation(constraint);
  }

  /** Outbox rows from the first one still to do (not applied, not parked), in position order. */
  *outboxToDo(): Generator<StoredEvent> {
    while (this.outbox[this.firstPending] !== undefined && isDone(this.outbox[this.firstPending] as StoredEvent))
      this.firstPending += 1;
    for (let i = this.firstPending; i < this.outbox.length; i++) yield this.outbox[i] as StoredEvent;
  }

  /** Starts the to-do scan from the beginning again (after parked events were requeued). */
  rewindToDo(): void {
    this.firstPending = 0;
  }

  /** Every outbox row after `position`, in order. */
  outboxAfter(position: number): StoredEvent[] {
    return this.outbox.slice(Math.max(0, position));
  }

  outboxAt(position: number): StoredEvent | undefined {
    return this.outbox[position - 1];
  }

  get lastOutboxPosition(): number {
    return this.lastPosition;
  }

  /** A copy of an outbox row as the projectors see it. */
  static entryOf(stored: StoredEvent): OutboxEntry {
    return { position: stored.position, event: copy(stored.event), attempts: stored.attempts };
  }

  /** Empties every table and the outbox and restarts the sequences (tests). */
  clear(): void {
    for (const table of [this.users, this.follows, this.articles, this.favorites, this.comments]) table.clear();
    this.outbox = [];
    this.firstPending = 0;
    this.recordedVersions.clear();
    this.lastPosition = 0;
    this.lastCommentId = 0;
  }
}

const versionKey = (event: ConduitEvent): string => `${event.aggregateType}:${event.aggregateId}:${event.version}`;

const isDone = (stored: StoredEvent): boolean => stored.appliedAt !== null || stored.parkedAt !== null;
