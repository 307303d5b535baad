import { isIP } from 'node:net';

/**
 * Hosts that never leave the machine: plain http to them cannot be intercepted on the
 * network, so local development and tests may use it. `localhost` is trusted to resolve
 * to loopback (RFC 6761 reserves it for that).
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host.toLowerCase() === 'localhost') return true;
  switch (isIP(host)) {
    case 4:
      return host.split('.')[0] === '127';
    case 6:
      return host === '::1' || host === '0:0:0:0:0:0:0:1';
    default:
      return false;
  }
}

/**
 * Why `raw` may not be used to fetch keys or metadata from, or undefined when it may:
 * https (or http to a loopback host), no credentials, no query, no fragment.
 */
export function insecureUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    return 'must use https (plain http is allowed only to a loopback address: 127.0.0.0/8, ::1, localhost)';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or a fragment';
  return undefined;
}
