import { insecureUrlProblem } from './url-rules.js';

/** What the composition root passes in (from OIDC_* settings). */
export interface OidcSettings {
  /** Exactly as the provider's discovery document spells it (a trailing slash matters). */
  readonly issuer: string;
  /** Accepted `aud` values: this API's identifier at the provider (never a client id). */
  readonly audiences: readonly string[];
  /** Default: RS256, PS256, ES256, EdDSA. Asymmetric algorithms only. */
  readonly algorithms?: readonly string[];
  /** Default 30 s; at most 300 s. */
  readonly clockSkewSeconds?: number;
  /** Dotted path to the roles claim, e.g. `realm_access.roles`; undefined → no roles. */
  readonly rolesClaim?: string;
  /** Timeout of each discovery or JWKS request. Default 5000 ms. */
  readonly httpTimeoutMs?: number;
  /** Least time between two JWKS fetches caused by unknown key ids. Default 30 s. */
  readonly jwksCooldownSeconds?: number;
  /** Keys older than this are refetched before use (removed keys stop working). Default 600 s. */
  readonly jwksMaxAgeSeconds?: number;
  /** Least time between two attempts after a failed discovery or JWKS fetch. Default 10 s. */
  readonly retryAfterFailureSeconds?: number;
}

/** The settings after validation and defaults. */
export interface ResolvedOidcSettings {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  readonly rolesPath: readonly string[] | undefined;
  readonly httpTimeoutMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksMaxAgeMs: number;
  readonly retryAfterFailureMs: number;
}

/**
 * The algorithms a provider's public keys can verify. Symmetric ones (HS*) are never
 * accepted: with them the "public" JWKS would be the signing secret, and a key meant for
 * RSA could be replayed as an HMAC secret. `none` is not an algorithm.
 */
const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
];
const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** A setting that makes the verifier unsafe or unusable: thrown at construction, so the server does not start. */
export class OidcConfigurationError extends Error {
  override readonly name = 'OidcConfigurationError';
}

const CLAIM_PATH = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;

function bounded(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min || chosen > max)
    throw new OidcConfigurationError(`${name} must be between ${min} and ${max}, got ${chosen}`);
  return chosen;
}

export function resolveOidcSettings(settings: OidcSettings): ResolvedOidcSettings {
  const problem = insecureUrlProblem(settings.issuer);
  if (problem !== undefined) throw new OidcConfigurationError(`OIDC_ISSUER ${problem}: ${settings.issuer}`);
  const audiences = settings.audiences.map((a) => a.trim()).filter((a) => a.length > 0);
  if (audiences.length === 0)
    throw new OidcConfigurationError('OIDC_AUDIENCE is required when OIDC_ISSUER is set (the API identifier tokens must name)');
  const algorithms = [...new Set(settings.algorithms ?? DEFAULT_ALGORITHMS)];
  const refused = algorithms.filter((alg) => !ASYMMETRIC_ALGORITHMS.includes(alg));
  if (algorithms.length === 0 || refused.length > 0)
    throw new OidcConfigurationError(
      `OIDC_ALGORITHMS may list only asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); refused: ${refused.join(', ') || '(empty list)'}`,
    );
  const rolesClaim = settings.rolesClaim?.trim();
  if (rolesClaim !== undefined && rolesClaim !== '' && !CLAIM_PATH.test(rolesClaim))
    throw new OidcConfigurationError(`OIDC_ROLES_CLAIM must be a dotted claim path such as realm_access.roles, got ${rolesClaim}`);
  return Object.freeze({
    issuer: settings.issuer,
    audiences: Object.freeze(audiences),
    algorithms: Object.freeze(algorithms),
    clockSkewSeconds: bounded('OIDC_CLOCK_SKEW_S', settings.clockSkewSeconds, 30, 0, 300),
    rolesPath: rolesClaim === undefined || rolesClaim === '' ? undefined : Object.freeze(rolesClaim.split('.')),
    httpTimeoutMs: bounded('OIDC HTTP timeout', settings.httpTimeoutMs, 5000, 100, 60_000),
    jwksCooldownMs: bounded('JWKS cool-down', settings.jwksCooldownSeconds, 30, 1, 3600) * 1000,
    jwksMaxAgeMs: bounded('JWKS maximum age', settings.jwksMaxAgeSeconds, 600, 10, 86_400) * 1000,
    retryAfterFailureMs: bounded('OIDC retry delay', settings.retryAfterFailureSeconds, 10, 1, 3600) * 1000,
  });
}
