import { hash, verify } from '@node-rs/argon2';
import { injectable } from 'inversify';
import type { PasswordHasher } from '../../application/users/password-hasher.js';

/**
 * argon2id with the library's defaults (19 MiB, 2 passes, 1 lane: the OWASP baseline) and a
 * fresh random salt per hash; the PHC string carries its own parameters, so hashes made
 * with other parameters still verify after the defaults change.
 */
@injectable()
export class Argon2PasswordHasher implements PasswordHasher {
  hash(plain: string): Promise<string> {
    return hash(plain);
  }

  async verify(hashed: string, plain: string): Promise<boolean> {
    try {
      return await verify(hashed, plain);
    } catch {
      // A malformed or truncated hash is a wrong password, not a server error: the caller
      // must not be able to tell a corrupt record from a bad guess.
      return false;
    }
  }
}
