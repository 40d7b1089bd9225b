/**
 * Polls `probe` every 100 ms until it returns a value other than `undefined`
 * and returns it; throws `timed out waiting for <what>` after `tries` polls.
 * For tests that wait on a backend's scheduled work (scans, revocations).
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
