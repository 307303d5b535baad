import { inject, injectable } from 'inversify';
import { Ok, type Result } from 'ts-results-es';
import type { QueryHandler } from '../shared/handler.js';
import type { Page } from '../shared/ports.js';
import { NotificationInbox, type NotificationPage } from './notification-store.js';

export interface ListNotifications extends Page {
  readonly viewerId: string;
}

/** The viewer's notifications, newest first, with how many there are and how many are unread. */
@injectable()
export class ListNotificationsHandler implements QueryHandler<ListNotifications, NotificationPage, never> {
  constructor(@inject(NotificationInbox) private readonly inbox: NotificationInbox) {}

  async execute(query: ListNotifications): Promise<Result<NotificationPage, never>> {
    return Ok(await this.inbox.list(query.viewerId, { limit: query.limit, offset: query.offset }));
  }
}
