import { describe, expect, it } from 'vitest';
import { Argon2PasswordHasher } from '../../../src/adapters/security/argon2-password-hasher.js';

describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('hashes with argon2id and a fresh salt each time', async () => {
    const [a, b] = await Promise.all([hasher.hash('correct horse'), hasher.hash('correct horse')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hashed = await hasher.hash('correct horse');
    expect(await hasher.verify(hashed, 'correct horse')).toBe(true);
    expect(await hasher.verify(hashed, 'correct horsE')).toBe(false);
    expect(await hasher.verify(hashed, '')).toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const hashed = await hasher.hash('pâsswörd-密码-🔑');
    expect(await hasher.verify(hashed, 'pâsswörd-密码-🔑')).toBe(true);
    expect(await hasher.verify(hashed, 'passwörd-密码-🔑')).toBe(false);
  });

  it('answers false, without throwing, for malformed hashes', async () => {
    const hashed = await hasher.hash('correct horse');
    for (const malformed of ['', 'not a hash', '$argon2id$', hashed.slice(0, -10), '$2b$10$abcdefghijklmnopqrstuv'])
      await expect(hasher.verify(malformed, 'correct horse')).resolves.toBe(false);
  });
});
