import { decodeJwt } from 'jose';
import { Err, Ok, type Result } from 'ts-results-es';
import type { ExternalIdentity } from './oidc/external-identity.js';
import type { AccessTokenVerifier } from './oidc/oidc-access-token-verifier.js';
import { rejection, type TokenRejection, type TokenRejectionCode } from './oidc/token-rejection.js';
import { routeToken } from './token-routing.js';
import type { TokenClaims, TokenProblem, TokenService } from './token-service.js';

/** Who a verified bearer token says the caller is. */
export type Credential =
  | { readonly kind: 'own'; readonly claims: TokenClaims }
  | {
      readonly kind: 'oidc';
      readonly identity: ExternalIdentity;
      /** The token's `iat` in milliseconds (revocation compares it); 0 when the provider sent none. */
      readonly issuedAtMs: number;
    };

/** `iat` of a token the verifier accepted (jose checked it is a number when present). */
function issuedAtMsOf(token: string): number {
  const { iat } = decodeJwt(token);
  return typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : 0;
}

const OWN_PROBLEMS: Readonly<Record<TokenProblem, TokenRejectionCode>> = {
  malformed: 'TOKEN.MALFORMED',
  expired: 'TOKEN.EXPIRED',
  invalid: 'TOKEN.INVALID',
};

/**
 * The one call the HTTP authentication hook makes for a bearer token: routes it by its
 * unverified issuer (see `routeToken`) to this service's own token service or to the
 * OpenID provider's verifier, and answers either who the caller is or one rejection
 * shape for both (`kind` → 401 or 503, `message` safe to send). Own tokens keep the
 * messages they had: "is malformed", "has expired", "is invalid".
 */
export class CredentialVerifier {
  constructor(
    readonly own: TokenService & { readonly issuer: string },
    readonly oidc?: AccessTokenVerifier & { readonly issuer: string },
  ) {}

  async verify(token: string): Promise<Result<Credential, TokenRejection>> {
    const route = routeToken(token, { own: this.own.issuer, oidc: this.oidc?.issuer });
    if (route === 'oidc' && this.oidc !== undefined) {
      const verified = await this.oidc.verify(token);
      return verified.isOk() ? Ok({ kind: 'oidc', identity: verified.value, issuedAtMs: issuedAtMsOf(token) }) : verified;
    }
    const verified = this.own.verify(token);
    return verified.ok ? Ok({ kind: 'own', claims: verified.claims }) : Err(rejection(OWN_PROBLEMS[verified.problem]));
  }
}
