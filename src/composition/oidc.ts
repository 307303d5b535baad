import type { Logger } from 'pino';
import type { OidcAuthentication } from '../adapters/http/auth.js';
import { CredentialVerifier } from '../adapters/security/credential-verifier.js';
import type { JwtTokenService } from '../adapters/security/jwt-token-service.js';
import { OidcAccessTokenVerifier } from '../adapters/security/oidc/oidc-access-token-verifier.js';
import { OidcConfigurationError, resolveOidcSettings, type OidcSettings } from '../adapters/security/oidc/oidc-settings.js';
import { ConfigError, type AppConfig } from '../config/config.js';

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);

function settingsOf(config: AppConfig & { readonly oidcIssuer: string }): OidcSettings {
  const algorithms = list(config.oidcAlgorithms);
  return {
    issuer: config.oidcIssuer,
    audiences: list(config.oidcAudience) ?? [],
    ...(algorithms !== undefined && { algorithms }),
    ...(config.oidcRolesClaim !== undefined && { rolesClaim: config.oidcRolesClaim }),
  };
}

const asConfigError = (error: unknown): unknown =>
  error instanceof OidcConfigurationError ? new ConfigError(error.message) : error;

/** Checks the OIDC_* settings before anything opens: an unsafe one is one line at start. */
export function checkOidcSettings(config: AppConfig): void {
  if (config.oidcIssuer === undefined) return;
  try {
    resolveOidcSettings(settingsOf({ ...config, oidcIssuer: config.oidcIssuer }));
  } catch (error) {
    throw asConfigError(error);
  }
}

/**
 * Access tokens of the OpenID provider OIDC_ISSUER, or undefined without one. An unsafe
 * setting stops the start (ConfigError); an unreachable provider does not: its keys are
 * fetched in the background, and its tokens answer 503 until they can be checked.
 */
export function oidcAuthenticationOf(config: AppConfig, tokens: JwtTokenService, logger: Logger): OidcAuthentication | undefined {
  if (config.oidcIssuer === undefined) return undefined;
  let verifier: OidcAccessTokenVerifier;
  try {
    verifier = new OidcAccessTokenVerifier(settingsOf({ ...config, oidcIssuer: config.oidcIssuer }), logger);
  } catch (error) {
    throw asConfigError(error);
  }
  void verifier.warmUp();
  logger.info({ issuer: verifier.issuer, rolesClaim: config.oidcRolesClaim ?? null }, 'accepting OpenID Connect access tokens');
  return { credentials: new CredentialVerifier(tokens, verifier), managesRoles: config.oidcRolesClaim !== undefined };
}
