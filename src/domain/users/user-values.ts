import { Err, Ok, type Result } from 'ts-results-es';
import { validationError, type ValidationError } from '../shared/domain-error.js';
import { charLength, hasUnstorableCharacters, stripControl } from '../shared/text.js';

export const USERNAME_MAX = 40;
const EMAIL_MAX = 254;
const PASSWORD_MIN = 8;
/** argon2 hashes any length, but an unbounded password is a free CPU-burning request. */
const PASSWORD_MAX = 256;
const BIO_MAX = 2000;
const IMAGE_URL_MAX = 2048;

export type UserValidationError = ValidationError<
  | 'USER.USERNAME_INVALID'
  | 'USER.EMAIL_INVALID'
  | 'USER.PASSWORD_TOO_WEAK'
  | 'USER.PASSWORD_TOO_LONG'
  | 'USER.BIO_TOO_LONG'
  | 'USER.IMAGE_INVALID'
>;

/**
 * A username is shown as typed but compared case-insensitively: `Jake` and `jake` are the
 * same account name, so one cannot impersonate the other. It appears in URL paths
 * (`/profiles/:username`), hence no whitespace or slashes.
 */
export class Username {
  private constructor(
    readonly value: string,
    /** The comparison key: NFC, lower case. Unique across users. */
    readonly key: string,
  ) {}

  static create(raw: string): Result<Username, UserValidationError> {
    const value = raw.trim().normalize('NFC');
    if (value.length === 0) return Err(validationError('USER.USERNAME_INVALID', 'username', "can't be blank"));
    if (charLength(value) > USERNAME_MAX)
      return Err(validationError('USER.USERNAME_INVALID', 'username', `is too long (maximum is ${USERNAME_MAX} characters)`));
    if (!/^[\p{L}\p{M}\p{N}_.-]+$/u.test(value))
      return Err(
        validationError('USER.USERNAME_INVALID', 'username', 'may only contain letters, digits, "_", "-" and "."'),
      );
    // "." and ".." are path segments to every HTTP client: such a profile could never be reached.
    if (/^\.+$/.test(value))
      return Err(validationError('USER.USERNAME_INVALID', 'username', 'must contain a letter or digit'));
    return Ok(new Username(value, Username.keyOf(value)));
  }

  /** The comparison key of any string, valid username or not (used for look-ups). */
  static keyOf(raw: string): string {
    return raw.trim().normalize('NFC').toLowerCase();
  }
}

/** Emails are stored trimmed and lower-cased: one mailbox, one account. */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: string): Result<Email, UserValidationError> {
    const value = Email.normalize(raw);
    if (hasUnstorableCharacters(value)) return Err(validationError('USER.EMAIL_INVALID', 'email', 'is invalid'));
    if (value.length === 0) return Err(validationError('USER.EMAIL_INVALID', 'email', "can't be blank"));
    if (value.length > EMAIL_MAX || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(value))
      return Err(validationError('USER.EMAIL_INVALID', 'email', 'is invalid'));
    return Ok(new Email(value));
  }

  static normalize(raw: string): string {
    return raw.trim().toLowerCase();
  }
}

/** The plain password, checked against the policy and then only ever handed to the hasher. */
export class PlainPassword {
  private constructor(readonly value: string) {}

  static create(raw: string): Result<PlainPassword, UserValidationError> {
    const length = charLength(raw);
    if (length < PASSWORD_MIN)
      return Err(
        validationError('USER.PASSWORD_TOO_WEAK', 'password', `is too short (minimum is ${PASSWORD_MIN} characters)`),
      );
    if (length > PASSWORD_MAX)
      return Err(
        validationError('USER.PASSWORD_TOO_LONG', 'password', `is too long (maximum is ${PASSWORD_MAX} characters)`),
      );
    return Ok(new PlainPassword(raw));
  }
}

/** Bio: free text, optional; blank means none. */
export const parseBio = (raw: string | null): Result<string | null, UserValidationError> => {
  if (raw === null) return Ok(null);
  const value = stripControl(raw).toWellFormed().trim();
  if (value.length === 0) return Ok(null);
  if (charLength(value) > BIO_MAX)
    return Err(validationError('USER.BIO_TOO_LONG', 'bio', `is too long (maximum is ${BIO_MAX} characters)`));
  return Ok(value);
};

/**
 * Image: an absolute http(s) URL, optional; blank means none. Other schemes
 * (`javascript:`, `data:`) are refused because front ends put this value in `src`.
 */
export const parseImage = (raw: string | null): Result<string | null, UserValidationError> => {
  if (raw === null) return Ok(null);
  const value = raw.trim();
  if (value.length === 0) return Ok(null);
  if (hasUnstorableCharacters(value)) return Err(validationError('USER.IMAGE_INVALID', 'image', 'must be an http(s) URL'));
  if (value.length > IMAGE_URL_MAX || !/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value))
    return Err(validationError('USER.IMAGE_INVALID', 'image', 'must be an http(s) URL'));
  return Ok(value);
};
