/** Who an OpenID provider says the bearer of a verified access token is. */
export interface ExternalIdentity {
  /** The configured issuer (equal to the token's `iss`). */
  readonly issuer: string;
  /** The provider's stable id of the user: (issuer, subject) is the key to link a local account to. */
  readonly subject: string;
  readonly email?: string;
  /** True only when the provider says so; an unverified e-mail must never link accounts. */
  readonly emailVerified: boolean;
  readonly preferredUsername?: string;
  /** From the configured roles claim; empty when none is configured or the token has none. */
  readonly roles: readonly string[];
}

/** OpenID Connect Core caps `sub` at 255 ASCII characters. */
const SUBJECT_MAX = 255;
const EMAIL_MAX = 320;
const USERNAME_MAX = 255;
const ROLE_MAX = 256;
const ROLES_MAX = 256;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** A printable, bounded string, or undefined. */
function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !CONTROL.test(value) ? value : undefined;
}

export const validSubject = (value: unknown): string | undefined => text(value, SUBJECT_MAX);

/**
 * Follows a dotted path (`realm_access.roles`) through own properties only, so a path
 * can never reach `__proto__` or inherited members.
 */
function at(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let current: unknown = claims;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key))
      return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The roles at `path`: an array of strings, or one space-separated string (the `scope`
 * style). Entries that are not short printable strings are ignored: dropping an entry can
 * only take a privilege away. `undefined` means the claim holds too many entries to be a
 * role list, which the verifier treats as an invalid token.
 */
export function rolesAt(claims: Readonly<Record<string, unknown>>, path: readonly string[] | undefined): readonly string[] | undefined {
  if (path === undefined) return [];
  const value = at(claims, path);
  const entries: unknown[] = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
  if (entries.length > ROLES_MAX) return undefined;
  const roles = entries.map((entry) => text(entry, ROLE_MAX)).filter((role): role is string => role !== undefined);
  return Object.freeze([...new Set(roles)]);
}

/** The identity fields of a verified claims set; `subject` was checked by the caller. */
export function identityOf(
  issuer: string,
  subject: string,
  claims: Readonly<Record<string, unknown>>,
  roles: readonly string[],
): ExternalIdentity {
  const email = text(claims.email, EMAIL_MAX);
  const preferredUsername = text(claims.preferred_username, USERNAME_MAX);
  // Some providers (Amazon Cognito) send the boolean as a string.
  const emailVerified = email !== undefined && (claims.email_verified === true || claims.email_verified === 'true');
  return Object.freeze({
    issuer,
    subject,
    ...(email === undefined ? {} : { email }),
    emailVerified,
    ...(preferredUsername === undefined ? {} : { preferredUsername }),
    roles,
  });
}
