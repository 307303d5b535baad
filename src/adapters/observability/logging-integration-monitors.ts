import type { Logger } from 'pino';
import type { Delivery } from '../../application/integration/message-bus.js';
import type { RelayMonitor } from '../../application/integration/relay.js';
import type { OutboxEntry } from '../../application/read-side/event-outbox.js';

/** The relay in the log: what it published, and what it is waiting for when the broker refuses. */
export class LoggingRelayMonitor implements RelayMonitor {
  constructor(private readonly logger: Logger) {}

  published(count: number, durationMs: number): void {
    this.logger.debug({ events: count, durationMs: Math.round(durationMs) }, 'integration events published');
  }

  publishFailed(error: unknown, refusals: number, retryInMs: number): void {
    // The first refusal and then every tenth: an outage of hours must not flood the log.
    if (refusals === 1 || refusals % 10 === 0)
      this.logger.warn(
        { err: error, refusals, retryInMs },
        'broker refused or unreachable: events wait in the outbox and are published when it answers',
      );
  }

  unpublishable(entry: OutboxEntry, error: unknown): void {
    this.logger.error(
      { err: error, position: entry.position, eventType: entry.event.type },
      'event has no integration event: parked for the relay (`npm run outbox -- parked --subscriber relay`)',
    );
  }

  runFailed(error: unknown): void {
    this.logger.error({ err: error }, 'relay run failed (outbox unreachable); trying again');
  }
}

/** The notifier in the log: one debug line per event, a warning per failed delivery, an error when it gives up. */
export class LoggingNotifierMonitor {
  constructor(private readonly logger: Logger) {}

  handled(delivery: Delivery, outcome: 'applied' | 'duplicate'): void {
    this.logger.debug({ eventId: delivery.event.id, eventType: delivery.event.type, attempt: delivery.attempt, outcome }, 'event handled');
  }

  pruned(count: number): void {
    if (count > 0) this.logger.info({ pruned: count }, 'notifier inbox pruned');
  }

  failed(delivery: Delivery, error: unknown, maxDeliveries: number): void {
    const context = { err: error, eventId: delivery.event.id, eventType: delivery.event.type, attempt: delivery.attempt };
    if (delivery.attempt >= maxDeliveries)
      this.logger.error(context, 'event failed for the last time: dead-lettered (`npm run dead-letters -- list notifier`)');
    else this.logger.warn(context, 'event failed: delivered again later');
  }
}
