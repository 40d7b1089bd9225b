import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { api, waitForScans } from './api';

/** The private key the demo estate deliberately leaves beside a certificate. */
function demoPrivateKey(dataDir: string) {
  const pem = readFileSync(path.join(dataDir, 'demo-estate/cert-store/pem/legacy-sftp-with-key.pem'), 'utf8');
  const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
  if (!match) throw new Error('demo estate lost its private key file');
  const base64 = match[1].replace(/\s+/g, '');
  const der = Buffer.from(base64, 'base64');
  // Probes: raw DER slices, and the base64 text as it appears in the file's lines.
  const probes: Buffer[] = [];
  for (let i = 64; i + 48 <= der.length; i += 96) probes.push(der.subarray(i, i + 48));
  for (const line of match[1].split('\n').map(l => l.trim()).filter(l => l.length >= 40)) {
    probes.push(Buffer.from(line));
  }
  return { probes, pem };
}

function containsAny(haystack: Buffer, probes: Buffer[]) {
  return probes.find(p => haystack.includes(p));
}

describe('no secret material leaves the scanners', () => {
  it('keeps the demo private key out of the database, the logs and every API response', async () => {
    await waitForScans();
    const dataDir = inject('dataDir');
    const { probes } = demoPrivateKey(dataDir);
    expect(probes.length).toBeGreaterThan(10);

    // The certificate next to the key was inventoried (so the file was read).
    const found = await api('/identities?q=legacy-sftp&limit=10');
    expect(found.items.map((i: any) => i.displayName)).toContain('legacy-sftp.example.test');

    // Database files (SQLite keeps one file per plugin).
    const dbDir = path.join(dataDir, 'db');
    const dbFiles = readdirSync(dbDir).map(f => path.join(dbDir, f));
    expect(dbFiles.length).toBeGreaterThan(0);
    for (const file of dbFiles) {
      expect(containsAny(readFileSync(file), probes), `secret bytes in ${file}`).toBeUndefined();
    }

    // Logs of every process of the portal.
    const logDir = path.join(dataDir, 'logs');
    for (const file of readdirSync(logDir)) {
      expect(containsAny(readFileSync(path.join(logDir, file)), probes), `secret bytes in ${file}`).toBeUndefined();
    }

    // Every API response: lists, details of every identity, summary, sources, violations.
    const responses: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api(`/identities?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      responses.push(JSON.stringify(page));
      for (const item of page.items) responses.push(JSON.stringify(await api(`/identities/${encodeURIComponent(item.id)}`)));
      cursor = page.nextCursor;
    } while (cursor);
    for (const route of ['/summary', '/sources', '/violations?limit=500', '/changes?since=0&limit=1000']) {
      responses.push(JSON.stringify(await api(route)));
    }
    const all = Buffer.from(responses.join('\n'));
    expect(containsAny(all, probes)).toBeUndefined();
    expect(all.includes(Buffer.from('PRIVATE KEY'))).toBe(false);
  });
});
