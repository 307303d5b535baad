/**
 * Waits until `condition` holds, looking every `everyMs`; fails with `what` after `timeoutMs`.
 * For conditions another process or connection brings about (a notification heard, a
 * connection back), never for timing: the bound only keeps a broken test from hanging.
 */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  everyMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
