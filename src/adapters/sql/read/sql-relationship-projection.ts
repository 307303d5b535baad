import type { FavoritePayload, FollowPayload } from '../../../domain/index.js';
import { favoriteCountDeltas, NotProjectedYet } from '../../../application/read-side/read-model-rules.js';
import { deltaColumns } from './sql-pending-counts.js';
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
 * Records the favourite over any older version, under the article's lock; the
 * article's favoritesCount and the user's favourited count move with the switch. A
 * favourite of a deleted article is dropped; of an article not projected yet, refused.
 *
 * `inline`: the count deltas go into `count_deltas` in the same statement, not into the
 * step's (for a favourite projected alone, with no transaction, where transactions run one
 * after the other: PGlite). The rules still say which counters a switch on moves; the
 * statement moves them by +1 for a switch on, -1 for a switch off, not at all for no switch.
 */
export async function setFavorite(
  { tx, t, deltas }: ProjectionStep,
  pair: FavoritePayload,
  active: boolean,
  version: number,
  inline = false,
): Promise<void> {
  const moved = inline
    ? `, moved as (insert into ${t.countDeltas} (kind, key, n)
                   select d.kind, d.key, case when u.active then d.n else -d.n end
                     from up u cross join unnest($5::text[], $6::text[], $7::int[]) as d(kind, key, n)
                    where u.active is distinct from coalesce((select active from prior), false))`
    : '';
  const [outcome] = await tx.query<FavoriteOutcome>(
    `with held as (select 1 from ${t.articles} where id = $2),
          prior as (select active from ${t.favorites} where user_id = $1 and article_id = $2),
          up as (insert into ${t.favorites} as f (user_id, article_id, active, version)
                 select $1, $2, $3, $4 from held
                 on conflict (user_id, article_id) do update set active = excluded.active, version = excluded.version
                 where f.version < excluded.version
                 returning active)${moved}
     select exists (select 1 from held) as held,
            exists (select 1 from ${t.articleTombstones} where id = $2) as deleted,
            (select active from prior) as prior_active, (select active from up) as after_active`,
    [pair.userId, pair.articleId, active, version, ...(inline ? deltaColumns(favoriteCountDeltas(pair, false, true)) : [])],
  );
  if (!outcome?.held) {
    if (outcome?.deleted) return;
    throw new NotProjectedYet(`favourite of ${pair.userId} is of article ${pair.articleId}, which is not projected yet`);
  }
  if (outcome.after_active === null || inline) return;
  deltas.push(...favoriteCountDeltas(pair, outcome.prior_active ?? false, outcome.after_active));
}
