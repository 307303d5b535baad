import { p } from '@mikro-orm/core';

type Target = Parameters<typeof p.manyToOne>[0];

/** Every point in time is stored with its offset. */
export const timestamptz = () => p.datetime().columnType('timestamptz');

/** The columns an aggregate's row ends with: when it was created and last changed, and the version its saves are guarded by. */
export const aggregateColumns = () => ({ createdAt: timestamptz(), updatedAt: timestamptz(), version: p.integer() });

/** A switched pair's own columns (follows, favourites): on or off, its version, when it last changed. */
export const switchColumns = () => ({ active: p.boolean(), version: p.integer(), updatedAt: timestamptz() });

/** One half of a pair's primary key: a reference to `target` that takes the pair with it when deleted. */
export const pairKey = <T extends Target>(target: T, column: string) =>
  p.manyToOne(target).mapToPk().primary().fieldName(column).deleteRule('cascade').updateRule('no action');
