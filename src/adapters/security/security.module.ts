import { ContainerModule } from 'inversify';
import { PasswordHasher } from '../../application/users/password-hasher.js';
import { Argon2PasswordHasher } from './argon2-password-hasher.js';

/** Credentials the application uses: the password hasher (argon2id). */
export const securityModule = (): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind(PasswordHasher).to(Argon2PasswordHasher);
  });
