/** Which verifier a bearer token should be shown to. */
export type TokenRoute = 'own' | 'oidc';

export interface TokenIssuers {
  /** The `iss` of this service's own tokens (JwtTokenService's issuer). */
  readonly own: string;
  /** The configured OpenID provider, when there is one. */
  readonly oidc?: string;
}

/** Only the first two segments are read, and only up to this size: routing must stay cheaper than verifying. */
const MAX_ROUTED_SEGMENT = 8192;

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined || segment.length === 0 || segment.length > MAX_ROUTED_SEGMENT) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Picks the verifier from the token's UNVERIFIED header and payload. Nothing here is
 * trusted and nothing is granted: a token sent the wrong way is refused by that
 * verifier, which pins its own algorithms, issuer and keys. So the rule only has to be
 * cheap and right for honest tokens:
 *
 * - without an OpenID provider, or for a symmetric `alg` (HS*: only this service signs
 *   those), or when the payload does not name the provider as `iss` → `own`;
 * - a token whose `iss` is exactly the provider's issuer → `oidc`.
 *
 * Garbage goes to `own`, so the answers to malformed tokens stay what they were before
 * OpenID Connect was configured.
 */
export function routeToken(token: string, issuers: TokenIssuers): TokenRoute {
  if (issuers.oidc === undefined || issuers.oidc === issuers.own) return 'own';
  const [headerPart, payloadPart] = token.split('.', 2);
  const header = decodeSegment(headerPart);
  if (header === undefined || typeof header.alg !== 'string' || header.alg.toUpperCase().startsWith('HS')) return 'own';
  return decodeSegment(payloadPart)?.iss === issuers.oidc ? 'oidc' : 'own';
}
