import type { Collection, Document, Filter } from 'mongodb';
import { counterKey, type Counter, type CounterDelta } from '../../application/read-side/read-model-rules.js';
import { eqText } from './filter-values.js';
import { isDuplicateKey, key } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';
import type { AppliedOps, OperationSource, PendingCounts } from './read-model.documents.js';

/**
 * Maintained counts without transactions (ADR 011). Every count lives in one document —
 * `counts` (`articles`, `author:<id>`, `favorited:<id>`), `tags` (`tag:<name>`), or the
 * article itself (`favoritesCount`) — and changes only through this protocol:
 *
 * 1. The writer changes the SOURCE document (an article, a favourite) with a
 *    compare-and-set on the version it read, and in the same single-document update
 *    records the change's count deltas as `pending`, under a new operation id. The deltas
 *    come from read-model-rules.ts, computed from the stored state before and after. A
 *    source with `pending` set accepts no other change until it is settled, so the changes
 *    of one source are counted one at a time, in order.
 * 2. Each delta is applied to its count, in one single-document update that increments
 *    the count and records the operation id in its `ops`, guarded by: the id is not there
 *    yet, AND the count's `rel` is what it was when the count was read — which was before
 *    the source was read again and found still pending.
 * 3. `pending` is cleared on the source (or the source removed, for a deletion), matched on
 *    the operation id.
 * 4. Later, ids of settled operations are removed from a count that holds many
 *    (`compact`): each removal increments the count's `rel`.
 *
 * Why exactly once: an operation's id leaves a count only after its source was seen
 * settled (step 3 done), and every removal moves `rel`. A writer that applies in step 2
 * read the count, then saw the source still pending — so no removal of its id had
 * happened before it read the count; a removal after that moves `rel` and fails its
 * update. So a delta applies at most once, however late a slow writer's update arrives;
 * and at least once, because step 3 follows step 2 for every delta.
 *
 * A writer killed between any two steps leaves `pending` on the source until step 3; the
 * next writer of that source (the retry of the same change, or any later change) settles
 * it first. Concurrent writers of one source meet at the compare-and-set, and may settle
 * the same pending deltas together: step 2 lets exactly one of them count each.
 *
 * Operators: `$inc`, `$set`/`$unset` of a sub-field, `$exists`, `$or` — what both a real
 * MongoDB and the test emulator have (the emulator lacks `$pull`, `$max`, `$currentDate`,
 * `$$NOW` and pipeline updates). Count documents are never deleted (a tag nobody uses
 * stays at 0): a deleted one would lose its `rel`.
 */

/** Rounds of step 2 before giving up (the projector then retries the change later). */
const MAX_ROUNDS = 50;
/** A count is compacted once it holds this many operation ids. */
const COMPACT_AT = 16;

interface CountTarget {
  readonly collection: Collection<CountShape>;
  readonly id: string;
  readonly field: 'count' | 'favoritesCount';
  /** Counts of `counts` and `tags` come into being with their first delta; an article must exist. */
  readonly upsert: boolean;
}

/** What every document that holds a count has. */
interface CountShape extends Document {
  _id: string;
  ops?: AppliedOps;
  rel?: number;
}

/** What every source document (an article, a favourite) has, as far as the protocol is concerned. */
interface SourceShape extends Document {
  _id?: string;
  pending?: PendingCounts;
}

const targetOf = (c: GenerationCollections, counter: Counter): CountTarget => {
  const as = <T extends Document>(collection: Collection<T>) => collection as unknown as Collection<CountShape>;
  switch (counter.kind) {
    case 'tag':
      return { collection: as(c.tags), id: key(counter.tag), field: 'count', upsert: true };
    case 'favorites':
      // A deleted article's count goes with it: a delta that finds no article has nothing to count.
      return { collection: as(c.articles), id: key(counter.articleId), field: 'favoritesCount', upsert: false };
    default:
      return { collection: as(c.counts), id: counterKey(counter), field: 'count', upsert: true };
  }
};

/** The record of `op` in a count's `ops`. Operation ids are valid field names (see newOperationId). */
const opPath = (op: string): string => {
  if (!/^[A-Za-z0-9_]+$/.test(op)) throw new Error(`mongo read model: "${op}" is not an operation id`);
  return `ops.${op}`;
};

/** The source's collection, and a filter matching it. */
const sourceOf = (
  c: GenerationCollections,
  source: OperationSource,
): { readonly collection: Collection<SourceShape>; readonly filter: Filter<SourceShape> } =>
  source.userId === undefined
    ? { collection: c.articles as unknown as Collection<SourceShape>, filter: { _id: key(source.articleId) } }
    : {
        collection: c.favorites as unknown as Collection<SourceShape>,
        filter: { userId: key(source.userId), articleId: key(source.articleId) },
      };

const stillPending = async (c: GenerationCollections, source: OperationSource, op: string): Promise<boolean> => {
  const { collection, filter } = sourceOf(c, source);
  return (await collection.findOne({ ...filter, 'pending.op': eqText(op) }, { projection: { _id: 1 } })) !== null;
};

/**
 * Steps 2 and 3 for a source whose `pending` is recorded (by this writer a moment ago, or
 * by one that died), then step 4 where a count holds many ids: safe to run any number of
 * times, concurrently.
 */
export async function settlePending(
  c: GenerationCollections,
  source: OperationSource,
  pending: PendingCounts,
): Promise<void> {
  const targets = pending.deltas.map((d) => ({ target: targetOf(c, d.counter), delta: d.delta }));
  const crowded = await applyDeltas(c, source, pending.op, targets);
  if (crowded === null) return; // settled by another writer meanwhile
  const { collection, filter } = sourceOf(c, source);
  const owned: Filter<SourceShape> = { ...filter, 'pending.op': eqText(pending.op) };
  if (pending.remove === true) await collection.deleteOne(owned);
  else await collection.updateOne(owned, { $unset: { pending: '' } });
  await Promise.all(crowded.map((target) => compact(c, target)));
}

/**
 * Step 2, in rounds: read the counts still without the id, read the source, apply the
 * deltas guarded (a round whose update lost a race goes again). Answers the counts that
 * hold many ids (to compact once settled), or null when the source was found settled by
 * someone else.
 */
async function applyDeltas(
  c: GenerationCollections,
  source: OperationSource,
  op: string,
  targets: readonly { readonly target: CountTarget; readonly delta: number }[],
): Promise<CountTarget[] | null> {
  const applied = opPath(op);
  const crowded: CountTarget[] = [];
  let remaining = targets;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const read = await Promise.all(
      remaining.map(async (each) => ({
        ...each,
        doc: await each.target.collection.findOne({ _id: each.target.id }, { projection: { ops: 1, rel: 1 } }),
      })),
    );
    for (const { target, doc } of read)
      if (round === 1 && Object.keys(doc?.ops ?? {}).length + 1 >= COMPACT_AT) crowded.push(target);
    // Done where the id is there already, or where an article that would hold the count is gone.
    const todo = read.filter(({ target, doc }) => (doc ? doc.ops?.[op] === undefined : target.upsert));
    if (todo.length === 0) return crowded;
    if (!(await stillPending(c, source, op))) return null;
    const outcomes = await Promise.all(
      todo.map(async ({ target, delta, doc }) => {
        const unapplied = {
          _id: target.id,
          [applied]: { $exists: false },
          rel: doc?.rel === undefined ? { $exists: false } : { $eq: doc.rel },
        } as Filter<CountShape>;
        try {
          const result = await target.collection.updateOne(
            unapplied,
            { $inc: { [target.field]: delta }, $set: { [applied]: { ...source } } },
            { upsert: target.upsert },
          );
          return result.matchedCount + result.upsertedCount === 1;
        } catch (error) {
          // The count exists (created just now by another delta) but did not match: read again.
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    );
    remaining = todo.filter((_, i) => !outcomes[i]);
    if (remaining.length === 0) return crowded;
  }
  throw new Error(`mongo read model: counts kept changing while operation ${op} was applied`);
}

/**
 * Step 4: removes from a count the ids of operations whose source is settled (its pending
 * is another operation, or none, or the source is gone), and moves `rel` in the same update.
 */
async function compact(c: GenerationCollections, target: CountTarget): Promise<void> {
  const doc = await target.collection.findOne({ _id: target.id }, { projection: { ops: 1 } });
  const marks = Object.entries(doc?.ops ?? {});
  if (marks.length < COMPACT_AT) return;
  const settled = await settledOperations(c, marks);
  if (settled.length === 0) return;
  await target.collection.updateOne(
    { _id: target.id },
    { $unset: Object.fromEntries(settled.map((op) => [opPath(op), ''])), $inc: { rel: 1 } },
  );
}

async function settledOperations(
  c: GenerationCollections,
  marks: readonly (readonly [string, OperationSource])[],
): Promise<string[]> {
  const ofArticles = marks.filter(([, source]) => source.userId === undefined);
  const ofFavorites = marks.filter(([, source]) => source.userId !== undefined);
  const [articles, favorites] = await Promise.all([
    ofArticles.length === 0
      ? []
      : c.articles
          .find({ _id: { $in: ofArticles.map(([, s]) => key(s.articleId)) } }, { projection: { 'pending.op': 1 } })
          .toArray(),
    ofFavorites.length === 0
      ? []
      : c.favorites
          .find(
            { $or: ofFavorites.map(([, s]) => ({ userId: eqText(s.userId), articleId: eqText(s.articleId) })) },
            { projection: { userId: 1, articleId: 1, 'pending.op': 1 } },
          )
          .toArray(),
  ]);
  const pendingOps = new Set([...articles, ...favorites].flatMap((doc) => (doc.pending ? [doc.pending.op] : [])));
  return marks.filter(([op]) => !pendingOps.has(op)).map(([op]) => op);
}

/** `pending` for a change with these deltas, or undefined when it changes no count. */
export const pendingFor = (
  op: string,
  deltas: readonly CounterDelta[],
  remove = false,
): PendingCounts | undefined =>
  deltas.length === 0 && !remove ? undefined : { op, deltas, ...(remove ? { remove: true } : {}) };

/** The maintained counts, in the order asked; a count never written is 0. One round trip per collection. */
export async function readCounts(c: GenerationCollections, counters: readonly Counter[]): Promise<number[]> {
  if (counters.some((counter) => counter.kind === 'favorites'))
    throw new Error('mongo read model: favourite counts are read with their articles');
  const tags = counters.flatMap((counter) => (counter.kind === 'tag' ? [key(counter.tag)] : []));
  const others = counters.flatMap((counter) => (counter.kind === 'tag' ? [] : [counterKey(counter)]));
  const [tagDocs, countDocs] = await Promise.all([
    tags.length === 0 ? [] : c.tags.find({ _id: { $in: tags } }, { projection: { count: 1 } }).toArray(),
    others.length === 0 ? [] : c.counts.find({ _id: { $in: others } }, { projection: { count: 1 } }).toArray(),
  ]);
  const tagCount = new Map(tagDocs.map((d) => [d._id, d.count]));
  const count = new Map(countDocs.map((d) => [d._id, d.count]));
  return counters.map((counter) =>
    counter.kind === 'tag' ? (tagCount.get(key(counter.tag)) ?? 0) : (count.get(counterKey(counter)) ?? 0),
  );
}
