/*
 * One Keyring discovery run over the emulated cluster, in its own process so
 * its peak memory is its own: argv[2] is the emulator's JSON line. Prints
 * `{ ms, discoveries, byType, leafCertificates, problems, peakHeapMb, maxRssMb }`.
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
  const started = process.hrtime.bigint();
  for await (const d of KubernetesScanner.create().scan({
    source: { id: 'bench', type: 'kubernetes', config: new ConfigReader(source) },
    logger,
    signal: new AbortController().signal,
    reportProblem: () => void (problems += 1),
    reportCovered: noop,
    reportProgress: noop,
    fingerprintSecret: v => createHmac('sha256', 'bench').update(v).digest('hex'),
  })) {
    byType[d.type] = (byType[d.type] ?? 0) + 1;
    if (d.type === 'tls-certificate' && d.location.endsWith('/tls.crt')) leaves.add(d.fingerprintSha256);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  const discoveries = Object.values(byType).reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ ms, discoveries, byType, leafCertificates: leaves.size, problems, peakHeapMb: peakHeap / 2 ** 20, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main();
