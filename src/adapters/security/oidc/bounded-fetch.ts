/** Discovery documents and key sets are a few kilobytes; a provider sending more is broken or hostile. */
const MAX_METADATA_BYTES = 256 * 1024;

/** The issuer's metadata or keys could not be fetched (network, timeout, status, size, JSON). */
export class IssuerUnreachableError extends Error {
  override readonly name = 'IssuerUnreachableError';
}

/**
 * GET `url` and return its body, refusing redirects (a redirect could lead key fetching to
 * a host nobody configured), non-200 answers and bodies over `maxBytes`, all within
 * `timeoutMs` from the first byte sent to the last one read.
 */
export async function fetchBounded(
  url: string,
  { timeoutMs, maxBytes = MAX_METADATA_BYTES, signal }: { timeoutMs: number; maxBytes?: number; signal?: AbortSignal },
): Promise<{ readonly body: string; readonly contentType: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      signal: combined,
      headers: { accept: 'application/json, application/jwk-set+json' },
    });
  } catch (error) {
    throw new IssuerUnreachableError(`GET ${url} failed: ${describe(error)}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new IssuerUnreachableError(`GET ${url} answered ${response.status}, expected 200`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new IssuerUnreachableError(`GET ${url} answered ${declared} bytes, more than ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body?.getReader();
    for (;;) {
      if (reader === undefined) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new IssuerUnreachableError(`GET ${url} answered more than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof IssuerUnreachableError) throw error;
    throw new IssuerUnreachableError(`GET ${url} failed while reading: ${describe(error)}`);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), contentType: response.headers.get('content-type') ?? '' };
}

/** `fetchBounded` parsed as a JSON object. */
export async function fetchJsonObject(url: string, options: { timeoutMs: number; maxBytes?: number }): Promise<Record<string, unknown>> {
  const { body } = await fetchBounded(url, options);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new IssuerUnreachableError(`GET ${url} did not answer JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new IssuerUnreachableError(`GET ${url} did not answer a JSON object`);
  return parsed as Record<string, unknown>;
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error);
}
