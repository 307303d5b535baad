/**
 * The only way values enter a Mongo filter in this adapter. Operator injection (a value
 * like `{ "$ne": null }` turning an equality into "anything") is impossible by
 * construction: every filter value is first reduced to a primitive of the expected type,
 * then wrapped in an explicit operator (`$eq`, `$in`), so even a primitive that looks like
 * an operator is compared as data. The ports are typed, but these checks hold even when a
 * caller's types are lied to (`as unknown as string`).
 */

/** A string as a string; anything else becomes its String() form, which matches nothing real. */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : String(value));

/** A safe integer, or null (then the caller answers "not found" without a query). */
export const asInteger = (value: unknown): number | null => {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) ? n : null;
};

/** `{ $eq: <string> }` */
export const eqText = (value: unknown): { $eq: string } => ({ $eq: asText(value) });

/** `{ $eq: <integer> }` for an integer already checked with asInteger. */
export const eqInteger = (value: number): { $eq: number } => {
  if (!Number.isSafeInteger(value)) throw new TypeError(`mongo read store: ${value} is not a safe integer`);
  return { $eq: value };
};

/** `{ $in: [<string>, …] }`, de-duplicated. */
export const inTexts = (values: readonly unknown[]): { $in: string[] } => ({
  $in: [...new Set(values.map(asText))],
});

/** A stored timestamp: BSON dates keep milliseconds, and toISOString gives `…sss Z` back. */
export const toDate = (value: unknown): Date => {
  const date = new Date(asText(value));
  if (Number.isNaN(date.getTime())) throw new Error(`mongo read model: invalid timestamp "${asText(value)}"`);
  return date;
};
