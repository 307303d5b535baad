/**
 * Ids the API hands around are opaque strings, but the columns are typed: a value that is
 * not a canonical (lower-case) uuid, or an integer a bigint can hold, matches no row, and
 * asking PostgreSQL anyway would fail the query instead of finding nothing. Only the
 * canonical form is accepted so that SQL and in-memory adapters agree on every input.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isUuid = (value: string): boolean => CANONICAL_UUID.test(value);

export const isRowId = (value: number): boolean => Number.isSafeInteger(value) && value > 0;
