/*
 * One Keyring discovery run over the emulated cluster, in its own process so
 * its peak memory is its own: argv[2] is the emulator's JSON line. Prints
 * `{ ms, warmMs, discoveries, byType, leafCertificates, problems, firstPeakHeapMb, peakHeapMb, maxRssMb }`
 * (`warmMs`: a second run with the same scanner, as a scheduled re-scan).
 */
import { createHmac } from 'node:crypto';
import { ConfigReader } from '@backstage/config';
import { KubernetesScanner } from '../plugins/machine-identity-backend-module-kubernetes/src/KubernetesScanner';

async function main() {
  const emulator = JSON.parse(process.argv[2]);
  const noop = () => {};
  const logger: any = { info: noop, warn: noop, error: noop, debug: noop, child: () => logger };
  const source = { id: 'bench', type: 'kubernetes', cluster: { name: 'bench', url: emulator.url, serviceAccountToken: emulator.token, caData: emulator.caData } };
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
  const byType: Record<string, number> = {};
  const leaves = new Set<string>();
  let problems = 0;
  // One scanner for both runs, as in a backend: the second run is a scheduled re-scan of an unchanged cluster.
  const scanner = KubernetesScanner.create();
  const scanOnce = async (count: boolean) => {
    const started = process.hrtime.bigint();
    for await (const d of scanner.scan({
      source: { id: 'bench', type: 'kubernetes', config: new ConfigReader(source) },
      logger,
      signal: new AbortController().signal,
      reportProblem: () => void (problems += 1),
      reportCovered: noop,
      reportProgress: noop,
      fingerprintSecret: v => createHmac('sha256', 'bench').update(v).digest('hex'),
    })) {
      if (!count) continue;
      byType[d.type] = (byType[d.type] ?? 0) + 1;
      if (d.type === 'tls-certificate' && d.location.endsWith('/tls.crt')) leaves.add(d.fingerprintSha256);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const ms = await scanOnce(true);
  const firstPeakHeap = peakHeap;
  const warmMs = await scanOnce(false);
  clearInterval(sampler);
  const discoveries = Object.values(byType).reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ ms, warmMs, discoveries, byType, leafCertificates: leaves.size, problems, firstPeakHeapMb: firstPeakHeap / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main();
