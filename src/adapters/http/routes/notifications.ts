import { authOf, requireAuth } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { respond } from '../respond.js';
import { PAGE_MAX, pageQuery } from '../schemas.js';
import type { TypedApi } from '../typed-api.js';

const string = { type: 'string' } as const;

const notification = {
  type: 'object',
  required: ['id', 'type', 'createdAt', 'read', 'actor', 'article'],
  properties: {
    id: string,
    type: { type: 'string', enum: ['article.published', 'article.commented', 'article.favorited', 'user.followed'] },
    createdAt: string,
    read: { type: 'boolean' },
    actor: {
      type: 'object',
      required: ['username', 'image'],
      properties: { username: string, image: { type: ['string', 'null'] } },
    },
    article: {
      type: ['object', 'null'],
      required: ['slug', 'title'],
      properties: { slug: string, title: string },
    },
  },
} as const;

const notificationsResponse = {
  type: 'object',
  required: ['notifications', 'notificationsCount', 'unreadCount'],
  properties: {
    notifications: { type: 'array', items: notification },
    notificationsCount: { type: 'integer' },
    unreadCount: { type: 'integer' },
  },
} as const;

/** `{}` marks every notification read; `{ "upTo": "<id>" }` that one and every older one. */
const markReadBody = {
  type: 'object',
  properties: { upTo: { type: 'string', maxLength: 32 } },
} as const;

const markReadResponse = {
  type: 'object',
  required: ['marked', 'unreadCount'],
  properties: { marked: { type: 'integer' }, unreadCount: { type: 'integer' } },
} as const;

/** The signed-in user's notifications (built by the notifier from integration events). */
export function notificationRoutes(api: TypedApi, { useCases }: HttpDeps): void {
  api.get(
    '/notifications',
    { onRequest: requireAuth, schema: { querystring: pageQuery, response: { 200: notificationsResponse } } },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const page = await useCases.listNotifications.execute({
        viewerId: authOf(request).userId,
        limit: Math.min(limit, PAGE_MAX),
        offset,
      });
      return respond(reply, page, (value) => value);
    },
  );

  api.post(
    '/notifications/read',
    { onRequest: requireAuth, schema: { body: markReadBody, response: { 200: markReadResponse } } },
    async (request, reply) => {
      const viewerId = authOf(request).userId;
      const marked = await useCases.markNotificationsRead.execute({ viewerId, upTo: request.body.upTo });
      if (marked.isErr()) return respond(reply, marked, () => null);
      const after = await useCases.listNotifications.execute({ viewerId, limit: 1, offset: 0 });
      return respond(reply, after, (page) => ({ marked: marked.value.marked, unreadCount: page.unreadCount }));
    },
  );
}
