/** A memory-hard, salted one-way hash (argon2id in production). */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  /** False for a wrong password or a malformed hash; never throws for either. */
  verify(hash: string, plain: string): Promise<boolean>;
}
export const PasswordHasher = Symbol.for('PasswordHasher');
