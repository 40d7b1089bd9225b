import { makeCertificate, makeTestPki } from '../__testUtils__/testPki';
import { TestServers } from '../__testUtils__/testServers';
import { parseCertificate, parseX509Certificate, type ParsedCertificate } from '@keyring/plugin-machine-identity-node';
import { fetchPeerChain } from './fetchPeerChain';

/** Timers created through the globals while `fn` runs that are still pending when it resolves. */
async function pendingTimersAfter<T>(fn: () => Promise<T>): Promise<{ result: T; pending: number; created: number }> {
  const live = new Set<unknown>();
  let created = 0;
  const track = <F extends (...args: any[]) => any>(f: F) =>
    ((...args: Parameters<F>) => {
      const handle = f(...args);
      live.add(handle);
      created++;
      return handle;
    }) as unknown as F;
  const untrack = <F extends (h: any) => void>(f: F) => ((h: unknown) => {
    live.delete(h);
    f(h);
  }) as F;
  const saved = { setTimeout, setInterval, clearTimeout, clearInterval };
  Object.assign(globalThis, {
    setTimeout: track(saved.setTimeout),
    setInterval: track(saved.setInterval),
    clearTimeout: untrack(saved.clearTimeout),
    clearInterval: untrack(saved.clearInterval),
  });
  try {
    const result = await fn();
    return { result, pending: live.size, created };
  } finally {
    Object.assign(globalThis, saved);
  }
}

describe('fetchPeerChain', () => {
  const servers = new TestServers();
  let port: number;
  let leafDer: Buffer;
  let intermediateDer: Buffer;

  beforeAll(async () => {
    const pki = await makeTestPki('Fetch');
    const leaf = await makeCertificate({ subject: 'CN=fetch.example.test', issuer: pki.intermediate });
    leafDer = leaf.der;
    intermediateDer = pki.intermediate.der;
    port = await servers.tls('127.0.111.1', 0, { key: leaf.keyPem, cert: leaf.certPem + pki.intermediate.certPem });
    await servers.silent('127.0.111.2', port);
  }, 30_000);

  afterAll(() => servers.closeAll());

  it('returns as soon as the handshake finishes and leaves no timer behind', async () => {
    const started = Date.now();
    const { result, pending, created } = await pendingTimersAfter(() =>
      fetchPeerChain({ host: '127.0.111.1', port, connectTimeoutMs: 30_000, handshakeTimeoutMs: 30_000 }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ ok: true, tlsVersion: 'TLSv1.3' });
    expect(result.ok && result.chain).toEqual([leafDer, intermediateDer]);
    // The connect and handshake timeouts and the byte-cap guard were all cleared on settle.
    expect(created).toBe(3);
    expect(pending).toBe(0);
  });

  it("hands over the handshake's decoded certificates, which parse to the fields of the chain's DER", async () => {
    const result = await fetchPeerChain({ host: '127.0.111.1', port, connectTimeoutMs: 30_000, handshakeTimeoutMs: 30_000 });
    if (!result.ok) throw new Error(result.message);
    expect(result.certificates?.map(c => c.raw)).toEqual([leafDer, intermediateDer]);
    const fields = ({ node: _node, ...rest }: ParsedCertificate) => rest;
    for (const [i, cert] of result.certificates!.entries()) {
      expect(fields(parseX509Certificate(cert))).toEqual(fields(parseCertificate(result.chain[i])));
    }
  });

  it('stops a handshake in flight when the shared abort signal fires', async () => {
    const { AbortFanout } = await import('./AbortFanout');
    const controller = new AbortController();
    const aborts = new AbortFanout(controller.signal);
    const pending = fetchPeerChain({ host: '127.0.111.2', port, connectTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, aborts });
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toEqual({ ok: false, stage: 'failed', message: 'scan aborted' });
    // Once aborted, a new call settles at once.
    expect(await fetchPeerChain({ host: '127.0.111.1', port, connectTimeoutMs: 30_000, handshakeTimeoutMs: 30_000, aborts })).toMatchObject({
      ok: false,
      message: 'scan aborted',
    });
  });

  it('clears its timers when a silent peer times out', async () => {
    const { result, pending } = await pendingTimersAfter(() =>
      fetchPeerChain({ host: '127.0.111.2', port, connectTimeoutMs: 2_000, handshakeTimeoutMs: 200 }),
    );
    expect(result).toMatchObject({ ok: false, stage: 'failed', message: 'TLS handshake did not finish within 200 ms' });
    // The fired handshake timeout counts as pending only if never cleared; the guard must be cleared.
    expect(pending).toBeLessThanOrEqual(1);
  });
});
