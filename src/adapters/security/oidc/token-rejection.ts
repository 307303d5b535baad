/**
 * Why an access token was refused. `code` is stable (logs, metrics, tests); `message` is
 * fixed per code and safe to send to the client: it never repeats the token, a claim
 * value or a library's error text.
 *
 * `kind` tells the HTTP adapter the status: `unauthenticated` is 401 (the credential is
 * bad), `unavailable` is 503 (the credential could not be checked because the issuer's
 * keys cannot be fetched right now; the client may retry with the same token).
 */
export type TokenRejectionCode =
  | 'TOKEN.MALFORMED'
  | 'TOKEN.INVALID'
  | 'TOKEN.WRONG_TYPE'
  | 'TOKEN.ALGORITHM_NOT_ALLOWED'
  | 'TOKEN.UNKNOWN_KEY'
  | 'TOKEN.BAD_SIGNATURE'
  | 'TOKEN.WRONG_ISSUER'
  | 'TOKEN.WRONG_AUDIENCE'
  | 'TOKEN.EXPIRED'
  | 'TOKEN.NOT_YET_VALID'
  | 'TOKEN.INVALID_CLAIMS'
  | 'TOKEN.ISSUER_UNAVAILABLE';

export interface TokenRejection {
  readonly kind: 'unauthenticated' | 'unavailable';
  readonly code: TokenRejectionCode;
  readonly message: string;
}

const MESSAGES: Readonly<Record<TokenRejectionCode, string>> = {
  'TOKEN.MALFORMED': 'is malformed',
  'TOKEN.INVALID': 'is invalid',
  'TOKEN.WRONG_TYPE': 'is not an access token',
  'TOKEN.ALGORITHM_NOT_ALLOWED': 'uses an algorithm that is not allowed',
  'TOKEN.UNKNOWN_KEY': 'is signed with an unknown key',
  'TOKEN.BAD_SIGNATURE': 'is invalid',
  'TOKEN.WRONG_ISSUER': 'is from an unknown issuer',
  'TOKEN.WRONG_AUDIENCE': 'is not meant for this service',
  'TOKEN.EXPIRED': 'has expired',
  'TOKEN.NOT_YET_VALID': 'is not valid yet',
  'TOKEN.INVALID_CLAIMS': 'is invalid',
  'TOKEN.ISSUER_UNAVAILABLE': 'cannot be checked right now',
};

export const rejection = (code: TokenRejectionCode): TokenRejection =>
  Object.freeze({
    kind: code === 'TOKEN.ISSUER_UNAVAILABLE' ? 'unavailable' : 'unauthenticated',
    code,
    message: MESSAGES[code],
  });
