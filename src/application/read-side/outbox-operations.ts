import { inject, injectable } from 'inversify';
import { EventOutbox, type OutboxBacklog, type OutboxSubscriber, type ParkedEntry } from './event-outbox.js';

/** What operators do with the outbox (`npm run outbox`): look at a subscriber's queue, its parked events, requeue them. */
@injectable()
export class OutboxOperations {
  constructor(@inject(EventOutbox) private readonly outbox: EventOutbox) {}

  async status(subscriber: OutboxSubscriber): Promise<OutboxBacklog & { readonly lastPosition: number }> {
    const [backlog, lastPosition] = await Promise.all([this.outbox.backlog(subscriber), this.outbox.lastPosition()]);
    return { ...backlog, lastPosition };
  }

  parked(subscriber: OutboxSubscriber, limit = 1000): Promise<ParkedEntry[]> {
    return this.outbox.parked(subscriber, limit);
  }

  requeue(subscriber: OutboxSubscriber): Promise<number> {
    return this.outbox.requeueParked(subscriber);
  }
}
