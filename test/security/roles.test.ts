import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecureApp } from './support/secure-app.js';

let app: SecureApp;
beforeEach(async () => {
  app = await SecureApp.start();
});
afterEach(() => app.close());

describe('roles and permissions', () => {
  it('an admin may delete anyone’s article, and that deletion is one audit line naming actor, action and slug', async () => {
    const [owner, admin] = [await app.register('owner'), await app.register('admin')];
    await app.grantAdmin(admin);
    const slug = await app.article(owner);
    const deleted = await app.request('DELETE', `/articles/${slug}`, { token: admin.token });
    expect(deleted.statusCode).toBe(204);
    expect((await app.request('GET', `/articles/${slug}`)).statusCode).toBe(404);
    const lines = app.auditLines().filter((line) => line.action === 'article.delete');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ audit: true, actor: `user:${admin.id}`, action: 'article.delete', target: slug, owner: owner.id });
  });

  it('an admin’s edit of another’s article answers with the author’s profile, as the admin sees it; the author’s own, with their own', async () => {
    const [owner, admin] = [await app.register('owner'), await app.register('admin')];
    await app.grantAdmin(admin);
    const slug = await app.article(owner);
    expect((await app.request('POST', `/profiles/${owner.username}/follow`, { token: admin.token })).statusCode).toBe(200);
    const byAdmin = await app.request('PUT', `/articles/${slug}`, { token: admin.token, body: { article: { body: 'Moderated' } } });
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json().article).toMatchObject({ body: 'Moderated', author: { username: owner.username, following: true } });
    expect(app.auditLines().filter((line) => line.action === 'article.update')).toHaveLength(1);
    await app.request('PUT', '/user', { token: owner.token, body: { user: { bio: 'Writes things' } } });
    const byOwner = await app.request('PUT', `/articles/${slug}`, { token: owner.token, body: { article: { body: 'Mine again' } } });
    expect(byOwner.json().article).toMatchObject({
      body: 'Mine again',
      author: { username: owner.username, bio: 'Writes things', image: null, following: false },
    });
    expect(app.auditLines().filter((line) => line.action === 'article.update')).toHaveLength(1);
  });

  it('an admin may delete anyone’s comment (audited); the owner’s own deletions are not audited', async () => {
    const [owner, admin] = [await app.register('owner'), await app.register('admin')];
    await app.grantAdmin(admin);
    const slug = await app.article(owner);
    const [first, second] = [await app.comment(owner, slug), await app.comment(owner, slug)];
    expect((await app.request('DELETE', `/articles/${slug}/comments/${first}`, { token: admin.token })).statusCode).toBe(204);
    expect((await app.request('DELETE', `/articles/${slug}/comments/${second}`, { token: owner.token })).statusCode).toBe(204);
    const lines = app.auditLines().filter((line) => line.action === 'comment.delete');
    expect(lines).toEqual([expect.objectContaining({ actor: `user:${admin.id}`, target: `${slug}/comments/${first}`, owner: owner.id })]);
  });

  it('a user who is not an admin may not delete someone else’s article or comment (403, nothing audited)', async () => {
    const [owner, other] = [await app.register('owner'), await app.register('other')];
    const slug = await app.article(owner);
    const comment = await app.comment(owner, slug);
    const article = await app.request('DELETE', `/articles/${slug}`, { token: other.token });
    expect(article.statusCode).toBe(403);
    expect(article.json()).toEqual({ errors: { article: ['only its author can change it'] } });
    expect((await app.request('DELETE', `/articles/${slug}/comments/${comment}`, { token: other.token })).statusCode).toBe(403);
    expect(app.auditLines()).toEqual([]);
  });

  it('a role granted takes effect on the next request with the same token, and a revoked one too', async () => {
    const [owner, user] = [await app.register('owner'), await app.register('user')];
    const slug = await app.article(owner);
    expect((await app.request('DELETE', `/articles/${slug}`, { token: user.token })).statusCode).toBe(403);
    await app.grantAdmin(user);
    const second = await app.article(owner);
    expect((await app.request('DELETE', `/articles/${second}`, { token: user.token })).statusCode).toBe(204);
    (await app.useCases.changeRole.execute({ username: user.username, role: 'user', by: { kind: 'operator' } })).unwrap();
    expect((await app.request('DELETE', `/articles/${slug}`, { token: user.token })).statusCode).toBe(403);
  });

  it('grant and revoke are audited, recorded as events, and nobody may change their own role', async () => {
    const [admin, other] = [await app.register('admin'), await app.register('other')];
    await app.grantAdmin(admin);
    const self = await app.useCases.changeRole.execute({ username: admin.username, role: 'user', by: { kind: 'user', actorId: admin.id } });
    expect(self.isErr() && self.error.code).toBe('ROLE.OWN_ROLE');
    const byUser = await app.useCases.changeRole.execute({ username: admin.username, role: 'user', by: { kind: 'user', actorId: other.id } });
    expect(byUser.isErr() && byUser.error.code).toBe('ROLE.NOT_ADMIN');
    const byAdmin = await app.useCases.changeRole.execute({ username: other.username, role: 'admin', by: { kind: 'user', actorId: admin.id } });
    expect(byAdmin.unwrap()).toMatchObject({ role: 'admin', changed: true });
    expect(app.auditLines().map((l) => [l.actor, l.action, l.target])).toEqual([
      ['operator', 'role.grant', admin.username],
      [`user:${admin.id}`, 'role.grant', other.username],
    ]);
  });

  it('keeps the RealWorld shapes: nothing about roles appears in user, profile or article answers', async () => {
    const admin = await app.register('admin');
    await app.grantAdmin(admin);
    const me = await app.request('GET', '/user', { token: admin.token });
    expect(Object.keys(me.json().user).sort()).toEqual(['bio', 'email', 'image', 'token', 'username']);
    const profile = await app.request('GET', `/profiles/${admin.username}`);
    expect(Object.keys(profile.json().profile).sort()).toEqual(['bio', 'following', 'image', 'username']);
    const put = await app.request('PUT', '/user', { token: admin.token, body: { user: { bio: 'x', role: 'user' } } });
    expect(put.statusCode).toBe(200);
    expect(Object.keys(put.json().user).sort()).toEqual(['bio', 'email', 'image', 'token', 'username']);
  });
});
