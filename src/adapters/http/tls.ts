import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** TLS_CERT_FILE / TLS_KEY_FILE as the composition root read them (undefined = unset). */
export interface TlsSettings {
  /** PEM certificate, optionally followed by its intermediate chain. */
  readonly certFile: string | undefined;
  /** PEM private key (PKCS#8, PKCS#1 or SEC1), not encrypted. */
  readonly keyFile: string | undefined;
  /** HSTS max-age in seconds; default one year. */
  readonly hstsMaxAgeSeconds?: number;
}

/** The key material, read and checked, ready for `https` or `http2` server options. */
export interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
  /** Value of the Strict-Transport-Security header every HTTPS answer should carry. */
  readonly hsts: string;
  /** What to log at start (never the key). */
  readonly certificate: { readonly subject: string; readonly validTo: Date; readonly fingerprint256: string };
}

/** A TLS setting that cannot work; the message is one line naming the setting and the file. */
export class TlsConfigurationError extends Error {
  override readonly name = 'TlsConfigurationError';
}

const ONE_YEAR_SECONDS = 31_536_000;

/** `max-age` plus `includeSubDomains`: an API host has no business serving plain http on any subdomain. */
export function hstsHeaderValue(maxAgeSeconds = ONE_YEAR_SECONDS): string {
  if (!Number.isSafeInteger(maxAgeSeconds) || maxAgeSeconds < 0)
    throw new TlsConfigurationError(`HSTS max-age must be a non-negative integer of seconds, got ${maxAgeSeconds}`);
  return `max-age=${maxAgeSeconds}; includeSubDomains`;
}

function readSetting(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? 'unreadable');
    throw new TlsConfigurationError(`${name} cannot be read (${why}): ${file}`);
  }
}

function certificateOf(pem: Buffer, file: string): X509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new TlsConfigurationError(`TLS_CERT_FILE is not a PEM certificate (no BEGIN CERTIFICATE block): ${file}`);
  try {
    return new X509Certificate(pem);
  } catch {
    throw new TlsConfigurationError(`TLS_CERT_FILE holds a PEM block that is not a valid certificate: ${file}`);
  }
}

function privateKeyOf(pem: Buffer, file: string): KeyObject {
  const text = pem.toString('latin1');
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text))
    throw new TlsConfigurationError(`TLS_KEY_FILE is not a PEM private key (no BEGIN PRIVATE KEY block): ${file}`);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4,ENCRYPTED/.test(text))
    throw new TlsConfigurationError(`TLS_KEY_FILE is encrypted, which is not supported (decrypt it with \`openssl pkey\`): ${file}`);
  try {
    return createPrivateKey(pem);
  } catch {
    throw new TlsConfigurationError(`TLS_KEY_FILE holds a PEM block that is not a valid private key: ${file}`);
  }
}

/**
 * Reads and checks the certificate and key: both settings or neither (undefined: serve
 * plain HTTP, e.g. behind a TLS-terminating proxy), readable, PEM, the key belonging to
 * the certificate, the certificate valid now. Throws TlsConfigurationError otherwise, so
 * a bad deployment fails at start with one clear line instead of at the first handshake.
 */
export function loadTlsMaterial(settings: TlsSettings, now: Date = new Date()): TlsMaterial | undefined {
  const { certFile, keyFile } = settings;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined)
    throw new TlsConfigurationError(
      `TLS_CERT_FILE and TLS_KEY_FILE must be set together (only ${certFile === undefined ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'} is set)`,
    );
  const cert = readSetting('TLS_CERT_FILE', certFile);
  const key = readSetting('TLS_KEY_FILE', keyFile);
  const x509 = certificateOf(cert, certFile);
  const privateKey = privateKeyOf(key, keyFile);
  if (!x509.checkPrivateKey(privateKey))
    throw new TlsConfigurationError(`TLS_KEY_FILE is not the private key of the certificate in TLS_CERT_FILE: ${keyFile}`);
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime())
    throw new TlsConfigurationError(`TLS_CERT_FILE expired on ${validTo.toISOString()}: ${certFile}`);
  if (new Date(x509.validFrom).getTime() > now.getTime())
    throw new TlsConfigurationError(`TLS_CERT_FILE is not valid before ${new Date(x509.validFrom).toISOString()}: ${certFile}`);
  return Object.freeze({
    key,
    cert,
    hsts: hstsHeaderValue(settings.hstsMaxAgeSeconds),
    certificate: Object.freeze({ subject: x509.subject.replace(/\n/g, ', '), validTo, fingerprint256: x509.fingerprint256 }),
  });
}

/** Options of Node's TLS servers shared by both shapes below. TLS 1.2 is the floor (Node's default, pinned here). */
const serverTls = (material: TlsMaterial) => ({ key: material.key, cert: material.cert, minVersion: 'TLSv1.2' as const });

/** `Fastify({ ...httpsServerOptions(material), ... })`: HTTPS over HTTP/1.1. */
export function httpsServerOptions(material: TlsMaterial) {
  return { https: serverTls(material) };
}

/**
 * `Fastify({ ...http2ServerOptions(material), ... })`: HTTP/2 over TLS, and HTTP/1.1 for
 * clients that do not offer h2 in ALPN. Fastify then types requests and replies with the
 * http2 compatibility objects, so the app's type parameters change with it.
 */
export function http2ServerOptions(material: TlsMaterial) {
  return { http2: true as const, https: { ...serverTls(material), allowHTTP1: true } };
}
