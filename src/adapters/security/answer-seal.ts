import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals what the API keeps of a write's answer for `Idempotency-Key` replays: answers carry
 * tokens (registration, a user's update), so the stored copy is encrypted and
 * authenticated (AES-256-GCM) with a key derived from the token secret, and the request's
 * fingerprint is keyed (HMAC-SHA-256) so that a stored row reveals nothing of the body it
 * was computed from (a registration's password).
 */
export class AnswerSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'conduit-cqrs', 'idempotent answers', 32));
  }

  fingerprint(content: string): string {
    return createHmac('sha256', this.key).update(content).digest('base64url');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The plain answer, or null when it was sealed with another key (a rotated secret) or altered. */
  open(sealed: string): string | null {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
