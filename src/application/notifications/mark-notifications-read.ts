import { inject, injectable } from 'inversify';
import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../../domain/index.js';
import type { CommandHandler } from '../shared/handler.js';
import { NotificationInbox } from './notification-store.js';

export interface MarkNotificationsRead {
  readonly viewerId: string;
  /** A notification id: it and every older one are marked; absent → all. */
  readonly upTo?: string | undefined;
}

export type MarkNotificationsReadError = ValidationError<'NOTIFICATION.BAD_ID'>;

/** Notification ids are positive integers written in decimal (the inbox's order). */
const NOTIFICATION_ID = /^[1-9][0-9]{0,17}$/;

/** Marks the viewer's notifications read (all, or up to one); answers how many changed. Idempotent. */
@injectable()
export class MarkNotificationsReadHandler implements CommandHandler<MarkNotificationsRead, { marked: number }, MarkNotificationsReadError> {
  constructor(@inject(NotificationInbox) private readonly inbox: NotificationInbox) {}

  async execute(command: MarkNotificationsRead): Promise<Result<{ marked: number }, MarkNotificationsReadError>> {
    const upTo = command.upTo ?? null;
    if (upTo !== null && !NOTIFICATION_ID.test(upTo))
      return Err(validationError('NOTIFICATION.BAD_ID', 'upTo', 'must be the id of a notification'));
    return Ok({ marked: await this.inbox.markRead(command.viewerId, upTo) });
  }
}
