import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/client.js';

describe('users API (whole application, in-memory adapters)', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await ApiClient.start();
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('POST /users', () => {
    it('registers a user: 201 with the user and a working token', async () => {
      const res = await api.request('POST', '/users', {
        body: { user: { username: 'Jacob', email: 'Jake@Jake.jake', password: 'jakejake' } },
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const { user } = res.json();
      expect(user).toEqual({ email: 'jake@jake.jake', username: 'Jacob', bio: null, image: null, token: expect.any(String) });
      const current = await api.request('GET', '/user', { token: user.token });
      expect(current.statusCode).toBe(200);
      expect(current.json().user.username).toBe('Jacob');
    });

    it('answers a taken username (any case) or email with 422 "has already been taken"', async () => {
      const taken = await api.register('taken');
      const sameName = await api.request('POST', '/users', {
        body: { user: { username: taken.username.toUpperCase(), email: 'fresh1@example.com', password: 'password123' } },
      });
      expect(sameName.statusCode).toBe(422);
      expect(sameName.json()).toEqual({ errors: { username: ['has already been taken'] } });
      const sameEmail = await api.request('POST', '/users', {
        body: { user: { username: 'fresh1', email: taken.email, password: 'password123' } },
      });
      expect(sameEmail.statusCode).toBe(422);
      expect(sameEmail.json()).toEqual({ errors: { email: ['has already been taken'] } });
    });

    it.each([
      [{ username: 'a1', email: 'not-an-email', password: 'password123' }, 'email'],
      [{ username: 'a2', email: 'a2@example.com', password: 'short' }, 'password'],
      [{ username: 'has space', email: 'a3@example.com', password: 'password123' }, 'username'],
      [{ username: '', email: 'a4@example.com', password: 'password123' }, 'username'],
      [{ email: 'a5@example.com', password: 'password123' }, 'username'],
      [{ username: 'a6', email: 7, password: 'password123' }, 'email'],
    ])('refuses %j with 422 on %s', async (user, field) => {
      const res = await api.request('POST', '/users', { body: { user } });
      expect(res.statusCode).toBe(422);
      expect(Object.keys(res.json().errors)).toEqual([field]);
    });
  });

  describe('POST /users/login', () => {
    it('logs in with the right password (email in any case)', async () => {
      const user = await api.register('login');
      const res = await api.request('POST', '/users/login', {
        body: { user: { email: user.email.toUpperCase(), password: user.password } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toMatchObject({ username: user.username, email: user.email, token: expect.any(String) });
    });

    it('answers a wrong password and an unknown email alike with 401', async () => {
      const user = await api.register('login');
      const wrong = await api.request('POST', '/users/login', { body: { user: { email: user.email, password: 'wrong-password' } } });
      const unknown = await api.request('POST', '/users/login', {
        body: { user: { email: 'nobody@example.com', password: 'password123' } },
      });
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
      expect(wrong.json()).toEqual({ errors: { 'email or password': ['is invalid'] } });
    });

    it('refuses missing fields with 422', async () => {
      const res = await api.request('POST', '/users/login', { body: { user: { email: 'a@example.com' } } });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: { password: ["can't be blank"] } });
    });
  });

  describe('GET /user', () => {
    it('returns the current user with the token it was called with', async () => {
      const user = await api.register('me');
      const res = await api.request('GET', '/user', { token: user.token });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        user: { email: user.email, username: user.username, bio: null, image: null, token: user.token },
      });
    });

    it('401 without a token', async () => {
      const res = await api.request('GET', '/user');
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ errors: { token: ['is missing'] } });
    });
  });

  describe('PUT /user', () => {
    it('updates the given fields and leaves the others', async () => {
      const user = await api.register('upd');
      const res = await api.request('PUT', '/user', {
        token: user.token,
        body: { user: { bio: 'I like to skateboard', image: 'https://i.stack.imgur.com/xHWG8.jpg' } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toEqual({
        email: user.email,
        username: user.username,
        bio: 'I like to skateboard',
        image: 'https://i.stack.imgur.com/xHWG8.jpg',
        token: user.token,
      });
      const cleared = await api.request('PUT', '/user', { token: user.token, body: { user: { bio: null, image: null } } });
      expect(cleared.json().user).toMatchObject({ bio: null, image: null });
    });

    it('changes the password (an empty one means unchanged)', async () => {
      const user = await api.register('pw');
      await api.request('PUT', '/user', { token: user.token, body: { user: { password: '' } } });
      const stillOld = await api.request('POST', '/users/login', { body: { user: { email: user.email, password: user.password } } });
      expect(stillOld.statusCode).toBe(200);
      await api.request('PUT', '/user', { token: user.token, body: { user: { password: 'a-new-password' } } });
      const old = await api.request('POST', '/users/login', { body: { user: { email: user.email, password: user.password } } });
      expect(old.statusCode).toBe(401);
      const fresh = await api.request('POST', '/users/login', { body: { user: { email: user.email, password: 'a-new-password' } } });
      expect(fresh.statusCode).toBe(200);
    });

    it('changes email and username, refusing ones taken by someone else with 422', async () => {
      const user = await api.register('mover');
      const other = await api.register('other');
      const taken = await api.request('PUT', '/user', { token: user.token, body: { user: { email: other.email } } });
      expect(taken.statusCode).toBe(422);
      expect(taken.json()).toEqual({ errors: { email: ['has already been taken'] } });
      const own = await api.request('PUT', '/user', { token: user.token, body: { user: { email: user.email } } });
      expect(own.statusCode).toBe(200);
      const renamed = await api.request('PUT', '/user', { token: user.token, body: { user: { username: `${user.username}x` } } });
      expect(renamed.json().user.username).toBe(`${user.username}x`);
    });

    it.each([
      [{ email: 'nope' }, 'email'],
      [{ image: 'javascript:alert(1)' }, 'image'],
      [{ password: 'short' }, 'password'],
      [{ bio: 12 }, 'bio'],
    ])('refuses %j with 422 on %s', async (changes, field) => {
      const user = await api.register('bad');
      const res = await api.request('PUT', '/user', { token: user.token, body: { user: changes } });
      expect(res.statusCode).toBe(422);
      expect(Object.keys(res.json().errors)).toEqual([field]);
    });

    it('401 without a token, 422 without the user wrapper', async () => {
      expect((await api.request('PUT', '/user', { body: { user: {} } })).statusCode).toBe(401);
      const user = await api.register('nowrap');
      const res = await api.request('PUT', '/user', { token: user.token, body: { bio: 'x' } });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: { user: ["can't be blank"] } });
    });
  });
});
