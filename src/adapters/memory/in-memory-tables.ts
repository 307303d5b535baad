/**
 * Rows are copied on the way in and on the way out, as a database would: an aggregate
 * never shares an object with the store, so changing one in memory changes nothing
 * stored until it is saved.
 */
export const copy = <T>(value: T): T => structuredClone(value);

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

  /** Whether a row with `row`'s primary key is stored. */
  holdsKeyOf(row: Row): boolean {
    return this.rows.has(this.primaryKeyOf(row));
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

