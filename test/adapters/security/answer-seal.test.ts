import { describe, expect, it } from 'vitest';
import { AnswerSeal } from '../../../src/adapters/security/answer-seal.js';

const SECRET = 'answer-seal-test-secret-0123456789abcdef';

describe('AnswerSeal (kept answers of idempotent writes)', () => {
  it('opens what it sealed, and seals the same answer differently each time', () => {
    const seal = new AnswerSeal(SECRET);
    const answer = '{"user":{"token":"eyJ.secret.token","email":"a@example.com"}}';
    const first = seal.seal(answer);
    expect(first).not.toContain('secret');
    expect(first).not.toBe(seal.seal(answer));
    expect(seal.open(first)).toBe(answer);
  });

  it('refuses an answer sealed with another secret, or altered', () => {
    const sealed = new AnswerSeal(SECRET).seal('{"a":1}');
    expect(new AnswerSeal(`${SECRET}-rotated`).open(sealed)).toBeNull();
    const [version, iv, body, tag] = sealed.split('.');
    const flipped = `${body?.[0] === 'A' ? 'B' : 'A'}${body?.slice(1)}`;
    expect(new AnswerSeal(SECRET).open([version, iv, flipped, tag].join('.'))).toBeNull();
    expect(new AnswerSeal(SECRET).open('not sealed')).toBeNull();
  });

  it('keys fingerprints with the secret: equal for equal requests, unrelated to the plain hash', () => {
    const seal = new AnswerSeal(SECRET);
    expect(seal.fingerprint('POST /api/users\n{"password":"x"}')).toBe(seal.fingerprint('POST /api/users\n{"password":"x"}'));
    expect(seal.fingerprint('a')).not.toBe(new AnswerSeal(`${SECRET}-other`).fingerprint('a'));
  });
});
