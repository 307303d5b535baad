import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registered, startUseCases, type UseCasesUnderTest } from '../support/use-cases.js';

let uc: UseCasesUnderTest;
let jake: string;
beforeEach(async () => {
  uc = await startUseCases();
  jake = await registered(uc, 'jake');
  await registered(uc, 'celeb');
});
afterEach(async () => uc.close());

describe('profiles and follows', () => {
  it('shows a profile, case-insensitively, with following for the viewer only', async () => {
    expect((await uc.useCases.getProfile.execute({ username: 'CELEB' })).unwrap()).toEqual({
      username: 'celeb',
      bio: null,
      image: null,
      following: false,
    });
    await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: true });
    expect((await uc.useCases.getProfile.execute({ username: 'celeb', viewerId: jake })).unwrap().following).toBe(true);
    expect((await uc.useCases.getProfile.execute({ username: 'celeb' })).unwrap().following).toBe(false);
  });

  it('follow and unfollow answer the profile as the follower now sees it', async () => {
    expect((await uc.useCases.setFollowing.execute({ followerId: jake, username: 'CELEB', following: true })).unwrap()).toEqual({
      username: 'celeb',
      bio: null,
      image: null,
      following: true,
    });
    expect((await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: false })).unwrap()).toMatchObject({
      following: false,
    });
  });

  it('follow and unfollow are idempotent', async () => {
    for (let i = 0; i < 2; i++) expect((await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: true })).isOk()).toBe(true);
    for (let i = 0; i < 2; i++) expect((await uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: false })).isOk()).toBe(true);
    expect((await uc.useCases.getProfile.execute({ username: 'celeb', viewerId: jake })).unwrap().following).toBe(false);
  });

  it('concurrent follows of the same pair all succeed and leave one follow', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => uc.useCases.setFollowing.execute({ followerId: jake, username: 'celeb', following: true })));
    expect(results.every((r) => r.isOk())).toBe(true);
    expect((await uc.useCases.getProfile.execute({ username: 'celeb', viewerId: jake })).unwrap().following).toBe(true);
  });

  it('refuses following oneself and unknown users', async () => {
    const self = await uc.useCases.setFollowing.execute({ followerId: jake, username: 'JAKE', following: true });
    expect(self.isErr() && self.error.code).toBe('FOLLOW.SELF');
    const unknown = await uc.useCases.setFollowing.execute({ followerId: jake, username: 'nobody', following: true });
    expect(unknown.isErr() && unknown.error.kind).toBe('not-found');
    expect((await uc.useCases.getProfile.execute({ username: 'nobody' })).isErr()).toBe(true);
  });
});
