import type { ReadModelChange } from '../../application/read-side/read-model-changes.js';
import { favoriteCountDeltas } from '../../application/read-side/read-model-rules.js';
import { articleIsStored, isTombstoned, settleDeletion } from './mongo-article-deletion.js';
import { pendingFor, settlePending } from './mongo-count-ledger.js';
import { asVersion, isDuplicateKey, key, MAX_ATTEMPTS, newOperationId, upsertIfNewer } from './mongo-guarded-writes.js';
import type { GenerationCollections } from './mongo-read-database.js';

type FollowChange = Extract<ReadModelChange, { kind: 'follow' }>;
type FavoriteChange = Extract<ReadModelChange, { kind: 'favorite' }>;

/**
 * UserFollowed / UserUnfollowed: the pair's switch in the given version, if newer. Follows
 * hold no counts (a feed adds up its authors' counts), and need neither user stored: the
 * pair alone is what queries look up.
 */
export async function projectFollow(c: GenerationCollections, change: FollowChange): Promise<void> {
  const followerId = key(change.pair.followerId);
  const followeeId = key(change.pair.followeeId);
  await upsertIfNewer(c.follows, { followerId, followeeId }, asVersion(change.version), {
    active: change.active === true,
  });
}

/**
 * ArticleFavorited / ArticleUnfavorited: the pair's switch in the given version, if newer,
 * with the article's favoritesCount and the user's "favourited" total moved by the deltas
 * of the stored switch before and after (mongo-count-ledger.ts).
 *
 * Content of an article: refused (NotProjectedYet) while the article is neither stored nor
 * deleted; dropped, with whatever an earlier attempt left of it, once it is deleted. Write,
 * then check: a favourite that lands after a concurrent deletion swept is swept too.
 */
export async function projectFavorite(c: GenerationCollections, change: FavoriteChange): Promise<void> {
  const pair = { userId: key(change.pair.userId), articleId: key(change.pair.articleId) };
  if (!(await articleIsStored(c, pair.articleId, `favourite by ${pair.userId}`)))
    return settleDeletion(c, pair.articleId);
  const outcome = await switchFavorite(c, pair, change.active === true, asVersion(change.version));
  if (outcome === 'removed' || (await isTombstoned(c, pair.articleId))) await settleDeletion(c, pair.articleId);
}

/**
 * The compare-and-set of step 1 (mongo-count-ledger.ts) on the favourite pair. Answers
 * 'written', 'stale' (as new or newer stored), or 'removed' (its article's deletion had it
 * pending for removal, now done).
 */
async function switchFavorite(
  c: GenerationCollections,
  pair: { readonly userId: string; readonly articleId: string },
  active: boolean,
  version: number,
): Promise<'written' | 'stale' | 'removed'> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await c.favorites.findOne(pair, { projection: { active: 1, version: 1, pending: 1 } });
    if (stored?.pending) {
      await settlePending(c, pair, stored.pending);
      if (stored.pending.remove === true) return 'removed';
      continue;
    }
    if (stored && stored.version >= version) return 'stale';
    const pending = pendingFor(newOperationId(), favoriteCountDeltas(pair, stored?.active === true, active));
    if (stored === null) {
      try {
        await c.favorites.insertOne({ ...pair, active, version, ...(pending ? { pending } : {}) });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        continue; // a concurrent insert of the pair won: look again
      }
    } else {
      const written = await c.favorites.updateOne(
        { ...pair, version: { $eq: stored.version }, pending: { $exists: false } },
        { $set: { active, version, ...(pending ? { pending } : {}) } },
      );
      if (written.matchedCount === 0) continue;
    }
    if (pending) await settlePending(c, pair, pending);
    return 'written';
  }
  throw new Error(`mongo read model: favourite ${pair.userId} → ${pair.articleId} kept changing while being written`);
}
