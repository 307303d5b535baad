import { Ok, Result } from 'ts-results-es';
import {
  Email,
  parseBio,
  parseImage,
  PlainPassword,
  Username,
  type UserValidationError,
} from './user-values.js';

/** A registration as a client sends it. */
export interface RegistrationFields {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/** A registration whose every field passed its rule. */
export interface Registration {
  readonly username: Username;
  readonly email: Email;
  readonly password: PlainPassword;
}

export const parseRegistration = (fields: RegistrationFields): Result<Registration, UserValidationError> =>
  Result.all([Username.create(fields.username), Email.create(fields.email), PlainPassword.create(fields.password)] as const).map(
    ([username, email, password]) => ({ username, email, password }),
  );

/** A change of account settings as a client sends it: absent fields stay; `null` bio/image clears them. */
export interface AccountFields {
  readonly username?: string | undefined;
  readonly email?: string | undefined;
  readonly password?: string | undefined;
  readonly bio?: string | null | undefined;
  readonly image?: string | null | undefined;
}

/** The fields present in an account change, each valid. The password is still plain: the handler hashes it. */
export interface AccountChange {
  readonly username?: Username;
  readonly email?: Email;
  readonly password?: PlainPassword;
  readonly bio?: string | null;
  readonly image?: string | null;
}

/**
 * Validates the fields that are present, in form order; the first failure wins. An empty
 * password means "unchanged": settings forms send the field blank.
 */
export function parseAccountChange(fields: AccountFields): Result<AccountChange, UserValidationError> {
  const change: { -readonly [K in keyof AccountChange]: AccountChange[K] } = {};
  if (fields.username !== undefined) {
    const username = Username.create(fields.username);
    if (username.isErr()) return username;
    change.username = username.value;
  }
  if (fields.email !== undefined) {
    const email = Email.create(fields.email);
    if (email.isErr()) return email;
    change.email = email.value;
  }
  if (fields.password !== undefined && fields.password !== '') {
    const password = PlainPassword.create(fields.password);
    if (password.isErr()) return password;
    change.password = password.value;
  }
  if (fields.bio !== undefined) {
    const bio = parseBio(fields.bio);
    if (bio.isErr()) return bio;
    change.bio = bio.value;
  }
  if (fields.image !== undefined) {
    const image = parseImage(fields.image);
    if (image.isErr()) return image;
    change.image = image.value;
  }
  return Ok(change);
}
