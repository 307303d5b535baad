import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registered, startUseCases, type UseCasesUnderTest } from '../support/use-cases.js';

let uc: UseCasesUnderTest;
beforeEach(async () => {
  uc = await startUseCases();
});
afterEach(async () => uc.close());

describe('RegisterUser', () => {
  it('answers the user it wrote, and the read model has the user at once (read-your-writes)', async () => {
    const answer = await uc.useCases.registerUser.execute({ username: 'Amy', email: 'AMY@example.com', password: 'password123' });
    expect(answer.unwrap().user).toEqual({ email: 'amy@example.com', username: 'Amy', bio: null, image: null });
  });

  it('registers, and the read model has the user at once (read-your-writes)', async () => {
    const id = await registered(uc, 'Jake');
    const me = await uc.useCases.getCurrentUser.execute({ userId: id });
    expect(me.unwrap()).toEqual({ email: 'jake@example.com', username: 'Jake', bio: null, image: null });
  });

  it('refuses a username taken in another case, and a taken email', async () => {
    await registered(uc, 'Jake');
    const byName = await uc.useCases.registerUser.execute({ username: 'JAKE', email: 'other@example.com', password: 'password123' });
    expect(byName.isErr() && byName.error.code).toBe('USER.USERNAME_TAKEN');
    const byEmail = await uc.useCases.registerUser.execute({ username: 'other', email: 'Jake@Example.com', password: 'password123' });
    expect(byEmail.isErr() && byEmail.error.code).toBe('USER.EMAIL_TAKEN');
  });

  it('validates every field before anything is written', async () => {
    const result = await uc.useCases.registerUser.execute({ username: 'ok', email: 'nope', password: 'password123' });
    expect(result.isErr() && result.error).toMatchObject({ kind: 'validation', field: 'email' });
    const weak = await uc.useCases.registerUser.execute({ username: 'ok', email: 'ok@example.com', password: 'short' });
    expect(weak.isErr() && weak.error).toMatchObject({ kind: 'validation', field: 'password' });
    expect((await uc.useCases.getProfile.execute({ username: 'ok' })).isErr()).toBe(true);
  });

  it('lets only one of two concurrent registrations of a name succeed', async () => {
    const attempts = await Promise.all(
      [1, 2, 3].map((n) =>
        uc.useCases.registerUser.execute({ username: 'same', email: `same${n}@example.com`, password: 'password123' }),
      ),
    );
    expect(attempts.filter((r) => r.isOk())).toHaveLength(1);
    for (const failed of attempts.filter((r) => r.isErr())) expect(failed.isErr() && failed.error.kind).toBe('conflict');
  });
});

describe('LoginUser', () => {
  it('accepts the right password with any email case, and says nothing about which part was wrong', async () => {
    const id = await registered(uc, 'jake');
    expect((await uc.useCases.loginUser.execute({ email: ' JAKE@example.com ', password: 'password123' })).unwrap()).toEqual({
      userId: id,
      user: { email: 'jake@example.com', username: 'jake', bio: null, image: null },
    });
    const wrong = await uc.useCases.loginUser.execute({ email: 'jake@example.com', password: 'wrong-password' });
    const unknown = await uc.useCases.loginUser.execute({ email: 'nobody@example.com', password: 'password123' });
    expect(wrong.isErr() && wrong.error).toEqual(unknown.isErr() && unknown.error);
    expect(wrong.isErr() && wrong.error.kind).toBe('unauthenticated');
  });
});

describe('UpdateUser', () => {
  it('changes only the given fields; blank password means unchanged', async () => {
    const id = await registered(uc, 'jake');
    const result = await uc.useCases.updateUser.execute({ userId: id, bio: 'I like to skateboard', password: '' });
    expect(result.unwrap()).toEqual({ email: 'jake@example.com', username: 'jake', bio: 'I like to skateboard', image: null });
    expect((await uc.useCases.getCurrentUser.execute({ userId: id })).unwrap()).toMatchObject({ bio: 'I like to skateboard', username: 'jake' });
    expect((await uc.useCases.loginUser.execute({ email: 'jake@example.com', password: 'password123' })).isOk()).toBe(true);
  });

  it('changes the password', async () => {
    const id = await registered(uc, 'jake');
    await uc.useCases.updateUser.execute({ userId: id, password: 'new-password' });
    expect((await uc.useCases.loginUser.execute({ email: 'jake@example.com', password: 'password123' })).isErr()).toBe(true);
    expect((await uc.useCases.loginUser.execute({ email: 'jake@example.com', password: 'new-password' })).isOk()).toBe(true);
  });

  it('renames, and the new name shows on the user’s articles and comments', async () => {
    const id = await registered(uc, 'jake');
    const { slug } = (await uc.useCases.createArticle.execute({ authorId: id, title: 'T', description: 'D', body: 'B' })).unwrap();
    await uc.useCases.addComment.execute({ authorId: id, slug, body: 'first' });
    await uc.useCases.updateUser.execute({ userId: id, username: 'jacob', image: 'https://example.com/j.png' });
    const article = (await uc.useCases.getArticle.execute({ slug })).unwrap();
    expect(article.author).toMatchObject({ username: 'jacob', image: 'https://example.com/j.png' });
    const [comment] = (await uc.useCases.listComments.execute({ slug })).unwrap();
    expect(comment?.author.username).toBe('jacob');
    expect((await uc.useCases.getProfile.execute({ username: 'jake' })).isErr()).toBe(true);
  });

  it('lets a user change the case of their own name but not take another’s', async () => {
    const id = await registered(uc, 'jake');
    await registered(uc, 'celeb');
    expect((await uc.useCases.updateUser.execute({ userId: id, username: 'Jake' })).isOk()).toBe(true);
    const taken = await uc.useCases.updateUser.execute({ userId: id, username: 'CELEB' });
    expect(taken.isErr() && taken.error.code).toBe('USER.USERNAME_TAKEN');
    const email = await uc.useCases.updateUser.execute({ userId: id, email: 'celeb@example.com' });
    expect(email.isErr() && email.error.code).toBe('USER.EMAIL_TAKEN');
  });

  it('applies concurrent changes of different fields both, as UpdateArticle does', async () => {
    const id = await registered(uc, 'jake');
    await Promise.all([
      uc.useCases.updateUser.execute({ userId: id, bio: 'new bio' }),
      uc.useCases.updateUser.execute({ userId: id, image: 'https://example.com/new.png' }),
    ]);
    expect((await uc.useCases.getCurrentUser.execute({ userId: id })).unwrap()).toMatchObject({
      bio: 'new bio',
      image: 'https://example.com/new.png',
    });
  });

  it('refuses invalid values and unknown users', async () => {
    const id = await registered(uc, 'jake');
    const image = await uc.useCases.updateUser.execute({ userId: id, image: 'javascript:alert(1)' });
    expect(image.isErr() && image.error.field).toBe('image');
    const ghost = await uc.useCases.updateUser.execute({ userId: 'no-such-user', bio: 'x' });
    expect(ghost.isErr() && ghost.error.kind).toBe('unauthenticated');
  });
});
