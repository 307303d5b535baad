import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/client.js';

describe('profiles API (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('GET /profiles/:username returns the profile, anonymously or not, any case', async () => {
    const celeb = await api.register('Celeb');
    const fan = await api.register('fan');
    const anonymous = await api.request('GET', `/profiles/${celeb.username}`);
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ profile: { username: celeb.username, bio: null, image: null, following: false } });
    const upper = await api.request('GET', `/profiles/${celeb.username.toUpperCase()}`, { token: fan.token });
    expect(upper.statusCode).toBe(200);
    expect(upper.json().profile.username).toBe(celeb.username);
  });

  it('GET an unknown profile → 404', async () => {
    const res = await api.request('GET', '/profiles/nobody-at-all');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ errors: { profile: ['not found'] } });
  });

  it('follows and unfollows, both idempotent, and the profile shows it to the follower only', async () => {
    const celeb = await api.register('celeb');
    const fan = await api.register('fan');
    for (let i = 0; i < 2; i++) {
      const followed = await api.request('POST', `/profiles/${celeb.username}/follow`, { token: fan.token });
      expect(followed.statusCode).toBe(200);
      expect(followed.json()).toEqual({ profile: { username: celeb.username, bio: null, image: null, following: true } });
    }
    expect((await api.request('GET', `/profiles/${celeb.username}`, { token: fan.token })).json().profile.following).toBe(true);
    expect((await api.request('GET', `/profiles/${celeb.username}`)).json().profile.following).toBe(false);
    expect((await api.request('GET', `/profiles/${fan.username}`, { token: celeb.token })).json().profile.following).toBe(false);

    for (let i = 0; i < 2; i++) {
      const unfollowed = await api.request('DELETE', `/profiles/${celeb.username}/follow`, { token: fan.token });
      expect(unfollowed.statusCode).toBe(200);
      expect(unfollowed.json().profile.following).toBe(false);
    }
  });

  it('refuses to follow yourself with 422', async () => {
    const me = await api.register('narcissus');
    const res = await api.request('POST', `/profiles/${me.username}/follow`, { token: me.token });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: { username: ['cannot follow yourself'] } });
  });

  it('follow/unfollow: 401 without a token, 404 for an unknown user', async () => {
    const celeb = await api.register('celeb');
    const fan = await api.register('fan');
    expect((await api.request('POST', `/profiles/${celeb.username}/follow`)).statusCode).toBe(401);
    expect((await api.request('DELETE', `/profiles/${celeb.username}/follow`)).statusCode).toBe(401);
    expect((await api.request('POST', '/profiles/ghost-user/follow', { token: fan.token })).statusCode).toBe(404);
    expect((await api.request('DELETE', '/profiles/ghost-user/follow', { token: fan.token })).statusCode).toBe(404);
  });
});
