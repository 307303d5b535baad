import { describe, expect, it } from 'vitest';
import type { OutboxBacklog, OutboxEntry } from '../../src/application/read-side/event-outbox.js';
import { BACKLOG_COUNT_LIMIT, PrometheusMetrics } from '../../src/adapters/prometheus/prometheus-metrics.js';
import { sample } from './exposition.js';

const entry = (type: string, position: number) =>
  ({ position, attempts: 0, event: { type, aggregateType: 'article', aggregateId: 'a', version: position } }) as unknown as OutboxEntry;

describe('PrometheusMetrics', () => {
  it('counts projection failures and durations per event type, and read-your-writes timeouts', async () => {
    const metrics = new PrometheusMetrics();
    metrics.projectionFailed(entry('ArticleUpdated', 1));
    metrics.projectionFailed(entry('ArticleUpdated', 1));
    metrics.projected([entry('ArticlePublished', 2), entry('CommentAdded', 3)], 30);
    metrics.waited([4], 20, true);
    metrics.waited([5], 2000, false);
    const { body } = await metrics.exposition();
    expect(sample(body, 'conduit_projection_failures_total', { event_type: 'ArticleUpdated' })).toBe(2);
    expect(sample(body, 'conduit_projection_duration_seconds_sum', { event_type: 'ArticlePublished' })).toBeCloseTo(0.015);
    expect(sample(body, 'conduit_projection_duration_seconds_count', { event_type: 'CommentAdded' })).toBe(1);
    expect(sample(body, 'conduit_read_your_writes_wait_seconds_count')).toBe(2);
    expect(sample(body, 'conduit_read_your_writes_wait_seconds_sum')).toBeCloseTo(2.02);
    expect(sample(body, 'conduit_read_your_writes_timeouts_total')).toBe(1);
  });

  it('reads the outbox once per scrape, bounded, and shows nothing rather than stale values when it cannot', async () => {
    const metrics = new PrometheusMetrics();
    const asked: (number | undefined)[] = [];
    let answer: OutboxBacklog | Error = { pending: 7, oldestAgeMs: 4500, parked: 2 };
    metrics.watchOutbox(
      {
        backlog: async (_subscriber, countUpTo) => {
          asked.push(countUpTo);
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
      ['projector'],
    );
    const first = (await metrics.exposition()).body;
    expect(sample(first, 'conduit_outbox_pending_events', { subscriber: 'projector' })).toBe(7);
    expect(sample(first, 'conduit_outbox_oldest_pending_age_seconds', { subscriber: 'projector' })).toBe(4.5);
    expect(sample(first, 'conduit_outbox_parked_events', { subscriber: 'projector' })).toBe(2);
    expect(asked).toEqual([BACKLOG_COUNT_LIMIT]);

    answer = new Error('database down');
    const second = (await metrics.exposition()).body;
    expect(sample(second, 'conduit_outbox_pending_events', { subscriber: 'projector' })).toBeUndefined();
    expect(asked).toHaveLength(2);
  });

  it('reports each readiness check as up only when ok, and the overall answer', async () => {
    const metrics = new PrometheusMetrics();
    metrics.watchReadiness(async () => ({ dependencies: { database: true, 'read-store': false }, ready: true }));
    const { body } = await metrics.exposition();
    expect(sample(body, 'conduit_dependency_up', { dependency: 'database' })).toBe(1);
    expect(sample(body, 'conduit_dependency_up', { dependency: 'read_store' })).toBe(0);
    expect(sample(body, 'conduit_ready')).toBe(1);
  });
});
