/*
 * The peer's fetch step, in its own process: what `kubectl get secrets -A -o
 * json --chunk-size=500` does (kubectl is not installed here) — a plain paged
 * LIST over HTTPS, each page parsed as JSON — writing every tls.crt as PEM to
 * argv[3] for `openssl` to parse. argv[2] is the emulator's JSON line.
 * Prints `{ ms, secrets, certificates, maxRssMb }`.
 */
import { createWriteStream } from 'node:fs';
import https from 'node:https';

function get(url: string, token: string, ca: string): Promise<any> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function main() {
  const emulator = JSON.parse(process.argv[2]);
  const out = createWriteStream(process.argv[3]);
  const started = process.hrtime.bigint();
  let secrets = 0;
  let certificates = 0;
  let token = '';
  do {
    const page = await get(`${emulator.url}/api/v1/secrets?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`, emulator.token, emulator.caData);
    for (const secret of page.items) {
      secrets += 1;
      const crt = secret.type === 'kubernetes.io/tls' ? secret.data?.['tls.crt'] : undefined;
      if (crt) {
        out.write(Buffer.from(crt, 'base64'));
        certificates += 1;
      }
    }
    token = page.metadata?.continue ?? '';
  } while (token);
  await new Promise(resolve => out.end(resolve));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ ms, secrets, certificates, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main();
