/**
 * `KEYRING_BENCH_LOAD_PROFILE=<dir>`: a V8 CPU profile of the servers' process
 * over each paced load window (bench/load.ts), written as
 * `<dir>/<window>.cpuprofile` (open it in Chrome DevTools), and the functions
 * with the most self time printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Starts profiling when the variable is set; `stop(name)` writes the profile and returns the top lines. */
export async function startWindowProfile(): Promise<{ stop: (name: string) => Promise<string[]> } | undefined> {
  const dir = process.env.KEYRING_BENCH_LOAD_PROFILE;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    stop: async name => {
      const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: ProfileNode[] } };
      session.disconnect();
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      const self = new Map<string, number>();
      let total = 0;
      for (const node of profile.nodes) {
        const hits = node.hitCount ?? 0;
        total += hits;
        const { functionName, url, lineNumber } = node.callFrame;
        const where = url.replace(/^.*node_modules\//, '').replace(`file://${process.cwd()}/`, '');
        const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + hits);
      }
      return [...self.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 25)
        .map(([key, hits]) => `      ${((hits * 100) / Math.max(1, total)).toFixed(1).padStart(5)} %  ${key}`);
    },
  };
}
