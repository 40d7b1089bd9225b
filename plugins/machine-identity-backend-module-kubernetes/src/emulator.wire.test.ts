import { readFileSync } from 'node:fs';
import https from 'node:https';
import { resolve } from 'node:path';
import { KubernetesEmulator } from '@keyring/cloud-emulators/kubernetes';
import { CORPORA } from './__testUtils__/fixtureCluster';

/** A raw HTTPS GET/DELETE: the bytes the emulator sends, no client in between. */
function call(emulator: KubernetesEmulator, path: string, options: { method?: string; token?: string; body?: unknown } = {}) {
  const body = options.body ? JSON.stringify(options.body) : '';
  return new Promise<{ status: number; json: any; headers: Record<string, unknown> }>((done, fail) => {
    const req = https.request(
      `${emulator.url}${path}`,
      {
        method: options.method ?? 'GET',
        ca: emulator.caData,
        headers: { Authorization: `Bearer ${options.token ?? emulator.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')), headers: res.headers }));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

describe('the Kubernetes API emulator speaks the apiserver wire format', () => {
  let emulator: KubernetesEmulator;
  const fixture = JSON.parse(readFileSync(resolve(CORPORA, 'kubernetes-api/testdata/HEAD/core.v1.Secret.json'), 'utf8'));

  beforeAll(async () => {
    emulator = await KubernetesEmulator.start({ token: 'wire-token' });
    emulator.add(fixture);
    for (let i = 0; i < 5; i++) emulator.add({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}`, namespace: 'wire' }, type: 'Opaque', data: {} });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('serves the kubernetes/api round-trip fixture back as written, with only resourceVersion set by the server', async () => {
    const { status, json } = await call(emulator, '/api/v1/namespaces/namespaceValue/secrets/nameValue');
    expect(status).toBe(200);
    expect(json).toEqual({ ...fixture, metadata: { ...fixture.metadata, resourceVersion: expect.stringMatching(/^\d+$/) } });
  });

  it('pages a List with metadata.continue and remainingItemCount, items without kind and apiVersion', async () => {
    const first = await call(emulator, '/api/v1/namespaces/wire/secrets?limit=2');
    expect(first.json).toEqual({
      kind: 'SecretList',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.any(String), continue: expect.any(String), remainingItemCount: 3 },
      items: [expect.objectContaining({ metadata: expect.objectContaining({ name: 's0' }) }), expect.objectContaining({ metadata: expect.objectContaining({ name: 's1' }) })],
    });
    expect(first.json.items[0]).not.toHaveProperty('kind');
    expect(JSON.parse(Buffer.from(first.json.metadata.continue, 'base64').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: Number(first.json.metadata.resourceVersion), start: 'wire/s1\u0000' });
    const rest = await call(emulator, `/api/v1/namespaces/wire/secrets?limit=10&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(rest.json.items.map((s: any) => s.metadata.name)).toEqual(['s2', 's3', 's4']);
    expect(rest.json.metadata).toEqual({ resourceVersion: first.json.metadata.resourceVersion });
  });

  it('answers an expired continue token with 410 Expired and an inconsistent-continue token', async () => {
    const first = await call(emulator, '/api/v1/secrets?limit=1');
    emulator.compact();
    const expired = await call(emulator, `/api/v1/secrets?limit=1&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(expired.status).toBe(410);
    expect(expired.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, metadata: { continue: expect.any(String) } });
    expect(expired.json.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
  });

  it('refuses a missing or wrong bearer token with a 401 Status, and unknown paths with 404', async () => {
    expect(await call(emulator, '/api/v1/secrets', { token: 'nope' })).toMatchObject({ status: 401, json: { kind: 'Status', reason: 'Unauthorized', code: 401 } });
    expect(await call(emulator, '/apis/example.test/v1/widgets')).toMatchObject({ status: 404, json: { reason: 'NotFound' } });
  });

  it('deletes with preconditions: a wrong UID is a 409 Conflict, the right one a Success Status', async () => {
    const conflict = await call(emulator, '/api/v1/namespaces/wire/secrets/s4', { method: 'DELETE', body: { preconditions: { uid: 'other' } } });
    expect(conflict).toMatchObject({ status: 409, json: { reason: 'Conflict', message: expect.stringContaining('Precondition failed: UID in precondition: other') } });
    const { json } = await call(emulator, '/api/v1/namespaces/wire/secrets/s4');
    const ok = await call(emulator, '/api/v1/namespaces/wire/secrets/s4', { method: 'DELETE', body: { preconditions: { uid: json.metadata.uid, resourceVersion: json.metadata.resourceVersion } } });
    expect(ok).toMatchObject({ status: 200, json: { kind: 'Status', status: 'Success', details: { name: 's4', kind: 'secrets', uid: json.metadata.uid } } });
    expect((await call(emulator, '/api/v1/namespaces/wire/secrets/s4')).json).toMatchObject({ reason: 'NotFound', message: 'secrets "s4" not found' });
  });

  it('sends Retry-After with an injected 429', async () => {
    emulator.injectFault({ plural: 'secrets', status: 429 });
    const throttled = await call(emulator, '/api/v1/secrets');
    expect(throttled).toMatchObject({ status: 429, json: { reason: 'TooManyRequests' }, headers: { 'retry-after': '1' } });
  });
});
