import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../deploy/stack/options.js';
import { StackRefusal } from '../../deploy/stack/refusal.js';
import { findOpenssl, makeLocalCertificate } from '../../deploy/stack/tls.js';

/** The certificate `npm run stack` makes for nginx's TLS listener, and its --tls-port option. */
const dir = mkdtempSync(join(tmpdir(), 'conduit-stack-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const x509 = (certificate: string, ...args: string[]): string =>
  execFileSync('openssl', ['x509', '-in', certificate, '-noout', ...args], { encoding: 'utf8' });

describe('the local certificate', () => {
  it('is self-signed for 127.0.0.1 and localhost, valid for two days, with a key only its owner reads', async () => {
    const { certificate, key } = await makeLocalCertificate(findOpenssl(), join(dir, 'tls'));
    const san = x509(certificate, '-ext', 'subjectAltName');
    expect(san).toContain('IP Address:127.0.0.1');
    expect(san).toContain('DNS:localhost');
    expect(x509(certificate, '-subject')).toEqual(x509(certificate, '-issuer').replace(/^issuer/, 'subject'));
    expect(() => x509(certificate, '-checkend', String(86_400))).not.toThrow();
    // -checkend exits 1 when the certificate expires within that many seconds.
    expect(() => x509(certificate, '-checkend', String(3 * 86_400))).toThrow();
    expect(statSync(key).mode & 0o077).toBe(0);
    const pub = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
    expect(pub(['pkey', '-in', key, '-pubout'])).toBe(pub(['x509', '-in', certificate, '-noout', '-pubkey']));
  });

  it('needs openssl: refused with what to do when it is missing', () => {
    expect(() => findOpenssl({ PATH: join(dir, 'empty') })).toThrow(StackRefusal);
    expect(() => findOpenssl({ PATH: join(dir, 'empty') })).toThrow(/openssl is not installed.*apt-get install -y openssl/);
    expect(() => findOpenssl({ OPENSSL: join(dir, 'nothing') })).toThrow(/OPENSSL=.* is not an executable file/);
  });
});

describe('--tls-port', () => {
  it('is a free port unless given, by option or STACK_TLS_PORT', () => {
    expect(parseOptions([], {})).toMatchObject({ port: 8080, tlsPort: undefined });
    expect(parseOptions(['--tls-port', '9443'], {})).toMatchObject({ tlsPort: 9443 });
    expect(parseOptions([], { STACK_TLS_PORT: '9444' })).toMatchObject({ tlsPort: 9444 });
  });

  it('refuses a port that is not one, or nginx\'s plain port', () => {
    expect(() => parseOptions(['--tls-port', 'x'], {})).toThrow(/--tls-port must be a whole number/);
    expect(() => parseOptions(['--port', '9000', '--tls-port', '9000'], {})).toThrow(/--tls-port and --port are both 9000/);
  });
});
