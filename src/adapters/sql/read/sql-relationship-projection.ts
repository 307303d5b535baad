import type { FavoritePayload, FollowPayload } from '../../../domain/index.js';
import { favoriteCountDeltas, NotProjectedYet } from '../../../application/read-side/read-model-rules.js';
import type { ProjectionStep } from './sql-projection-step.js';

/** Switched-off pairs are kept (active = false) so that their version still guards late events. */
export async function setFollow(
  { tx, t }: ProjectionStep,
  pair: FollowPayload,
  active: boolean,
  version: number,
): Promise<void> {
  await tx.query(
    `insert into ${t.follows} as s (follower_id, followee_id, active, version) values ($1, $2, $3, $4)
     on conflict (follower_id, followee_id) do update set active = excluded.active, version = excluded.version
     where s.version < excluded.version`,
    [pair.followerId, pair.followeeId, active, version],
  );
}

interface FavoriteOutcome {
  readonly held: boolean;
  readonly deleted: boolean;
  readonly prior_active: boolean | null;
  readonly after_active: boolean | null;
}

/**
 * Records the favourite over any older version of the pair, under the article's lock; the
 * article's favoritesCount and the user's favourited count move with the switch. A
 * favourite of a deleted article is dropped; of an article not projected yet, refused.
 */
export async function setFavorite(
  { tx, t, deltas }: ProjectionStep,
  pair: FavoritePayload,
  active: boolean,
  version: number,
): Promise<void> {
  const [outcome] = await tx.query<FavoriteOutcome>(
    `with held as (select 1 from ${t.articles} where id = $2),
          prior as (select active from ${t.favorites} where user_id = $1 and article_id = $2),
          up as (insert into ${t.favorites} as f (user_id, article_id, active, version)
                 select $1, $2, $3, $4 from held
                 on conflict (user_id, article_id) do update set active = excluded.active, version = excluded.version
                 where f.version < excluded.version
                 returning active)
     select exists (select 1 from held) as held,
            exists (select 1 from ${t.articleTombstones} where id = $2) as deleted,
            (select active from prior) as prior_active, (select active from up) as after_active`,
    [pair.userId, pair.articleId, active, version],
  );
  if (!outcome?.held) {
    if (outcome?.deleted) return;
    throw new NotProjectedYet(`favourite of ${pair.userId} is of article ${pair.articleId}, which is not projected yet`);
  }
  if (outcome.after_active === null) return;
  deltas.push(...favoriteCountDeltas(pair, outcome.prior_active ?? false, outcome.after_active));
}
