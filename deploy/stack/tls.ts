import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findExecutable, isExecutable } from './paths.js';
import { StackRefusal } from './refusal.js';

const run = promisify(execFile);

export const OPENSSL_INSTALL_HINT =
  'install it as root with `apt-get install -y openssl` (Debian package openssl), or point OPENSSL at the binary';

/** How long the stack's certificate is valid: a run of the stack, with room to spare. */
export const LOCAL_CERTIFICATE_DAYS = 2;

/** The openssl command: $OPENSSL, else `openssl` on PATH. */
export function findOpenssl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENSSL) {
    if (!isExecutable(env.OPENSSL)) throw new StackRefusal(`OPENSSL=${env.OPENSSL} is not an executable file: ${OPENSSL_INSTALL_HINT}`);
    return env.OPENSSL;
  }
  const found = findExecutable('openssl', env);
  if (found === undefined)
    throw new StackRefusal(`openssl is not installed (the stack makes its local TLS certificate with it): ${OPENSSL_INSTALL_HINT}`);
  return found;
}

/** A PEM certificate and its unencrypted key. */
export interface LocalCertificate {
  readonly certificate: string;
  readonly key: string;
}

/** Where makeLocalCertificate writes into `dir`. */
export const localCertificatePaths = (dir: string): LocalCertificate => ({
  certificate: join(dir, 'localhost.crt'),
  key: join(dir, 'localhost.key'),
});

/**
 * A self-signed certificate (ECDSA P-256) for 127.0.0.1 and localhost, valid for
 * LOCAL_CERTIFICATE_DAYS, written into `dir`: for local use only, trusted by a client
 * only when it is given this file as its CA. The key is readable by its owner alone
 * (nginx reads it in its master process, before the workers drop privileges).
 */
export async function makeLocalCertificate(binary: string, dir: string): Promise<LocalCertificate> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = localCertificatePaths(dir);
  try {
    await run(
      binary,
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', files.key, '-out', files.certificate,
        '-days', String(LOCAL_CERTIFICATE_DAYS), '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext', 'extendedKeyUsage=serverAuth',
      ],
      { timeout: 30_000 },
    );
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message?: string };
    throw new StackRefusal(`openssl could not make the local TLS certificate:\n${stderr?.trim() || message}`);
  }
  chmodSync(files.key, 0o600);
  return files;
}
