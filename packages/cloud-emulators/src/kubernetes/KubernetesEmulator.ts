import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeContinue, encodeContinue, expiredStatus, failureStatus, notFoundStatus, type ApiStatus } from './apiStatus';
import { loadManifests } from './manifests';
import { objectKey, ObjectStore, type KubeObject, type VirtualCollection } from './ObjectStore';
import { emulatorServerCertificate } from './pki';
import { apiVersionOf, RESOURCE_TYPES, resourceTypeOfKind, type ResourceType } from './resources';

/** A failure the emulator injects into matching requests. */
export interface FaultRule {
  /** Resource (URL plural, e.g. `secrets`) the rule applies to; every resource when absent. */
  plural?: string;
  /** Only requests of this method (`GET`, `DELETE`). */
  method?: string;
  /** Only requests that carry a continue token. */
  withContinue?: boolean;
  /** Matching requests served normally before the rule fires (default 0). */
  skip?: number;
  /** Matching requests it fires for (default 1; `Infinity`: every one). */
  times?: number;
  /** Answers with a Status of this code (429 also sends `Retry-After: 1`). */
  status?: number;
  /** Compacts the store first, so this request's continue token and every older one have expired (410). */
  compact?: boolean;
}

/** Options of {@link KubernetesEmulator.start}. */
export interface KubernetesEmulatorOptions {
  /** Bearer token every request must present (default: no authentication). */
  token?: string;
  /** Serve HTTPS with a self-signed certificate (default true); `caData` is its PEM. */
  tls?: boolean;
  /** Loopback address to listen on (default `127.0.0.1`). */
  host?: string;
  port?: number;
  /** The HTTPS certificate and key (default: one made for the process); a demo keeps its own so clients keep trusting it. */
  serverCertificate?: { certPem: string; keyPem: string };
  /** Serve cert-manager's API group (default true: its CRD is installed). */
  certManager?: boolean;
}

/** One request the emulator answered. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

type Route = { type: ResourceType; namespace?: string; name?: string };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * A Kubernetes API server on loopback for tests, the demo and benchmarks. It
 * serves the apiserver's JSON: List objects with `metadata.resourceVersion`,
 * `metadata.continue` and `remainingItemCount`, `limit`/`continue` paging in
 * key order, 410 `Expired` for a continue token older than the last compaction,
 * `metav1.Status` failures, bearer-token authentication, and DELETE of
 * namespaced objects with `preconditions`. Faults (5xx, 429, compaction) are
 * injected per resource with {@link KubernetesEmulator.injectFault}.
 */
export class KubernetesEmulator {
  readonly store = new ObjectStore();
  /** The most recent requests (at most 2,000). */
  readonly requests: EmulatorRequest[] = [];
  /** Requests served per resource plural (every request, for large benches). */
  readonly requestCounts = new Map<string, number>();
  private readonly faults: Array<FaultRule & { seen: number; fired: number }> = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    /** PEM of the server certificate (the cluster CA a client trusts); empty for HTTP. */
    readonly caData: string,
    readonly token: string | undefined,
    private readonly options: KubernetesEmulatorOptions,
  ) {}

  /** Starts an emulator on a loopback port. */
  static async start(options: KubernetesEmulatorOptions = {}): Promise<KubernetesEmulator> {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.test(host)) throw new Error(`The Kubernetes emulator listens on loopback only, not ${host}`);
    const useTls = options.tls ?? true;
    const cert = useTls ? (options.serverCertificate ?? emulatorServerCertificate()) : undefined;
    const ref: { emulator?: KubernetesEmulator } = {};
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => ref.emulator!.handle(req, res);
    const server = cert ? https.createServer({ key: cert.keyPem, cert: cert.certPem }, handler) : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    ref.emulator = new KubernetesEmulator(server, `${useTls ? 'https' : 'http'}://${hostPart}:${port}`, cert?.certPem ?? '', options.token, options);
    return ref.emulator;
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  /** The resource type of a plural, e.g. `secrets`. */
  static resource(plural: string): ResourceType {
    const type = RESOURCE_TYPES.find(t => t.plural === plural);
    if (!type) throw new Error(`The emulator does not serve ${plural}`);
    return type;
  }

  /** Adds objects (their `apiVersion`/`kind` pick the resource); returns the stored copies. */
  add(...objects: KubeObject[]): KubeObject[] {
    return objects.map(object => {
      const type = resourceTypeOfKind(String(object.apiVersion), String(object.kind));
      if (!type) throw new Error(`The emulator does not serve ${object.apiVersion} ${object.kind}`);
      return this.store.put(type, object);
    });
  }

  /** Adds every object of a YAML or JSON manifest stream the emulator serves; returns what was skipped and why. */
  addManifests(text: string): { added: KubeObject[]; skipped: string[] } {
    const { objects, skipped } = loadManifests(text);
    return { added: this.add(...objects), skipped };
  }

  /** Adds objects of one resource made on demand (large fleets). */
  addVirtual(plural: string, collection: VirtualCollection) {
    this.store.addVirtual(KubernetesEmulator.resource(plural), collection);
  }

  /** Injects a fault into matching requests. */
  injectFault(rule: FaultRule) {
    this.faults.push({ ...rule, seen: 0, fired: 0 });
  }

  /** Removes every injected fault. */
  clearFaults() {
    this.faults.length = 0;
  }

  /** Compacts now: every continue token issued so far has expired. */
  compact() {
    this.store.compactedRevision = this.store.nextRevision();
  }

  /** Whether an object exists, by plural, namespace and name. */
  has(plural: string, namespace: string | undefined, name: string): boolean {
    return this.store.get(KubernetesEmulator.resource(plural), objectKey(namespace, name)) !== undefined;
  }

  private route(parts: string[]): Route | undefined {
    let group = '';
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) {
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      group = parts[1];
      version = parts[2];
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    if (group === 'cert-manager.io' && this.options.certManager === false) return undefined;
    const find = (plural: string) => RESOURCE_TYPES.find(t => t.group === group && t.version === version && t.plural === plural);
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const type = find(rest[2]);
      return type?.namespaced && rest.length <= 4 ? { type, namespace: rest[1], name: rest[3] } : undefined;
    }
    const type = find(rest[0]);
    if (!type || rest.length > 2 || (rest.length === 2 && type.namespaced)) return undefined;
    return { type, name: rest[1] };
  }

  private fault(plural: string | undefined, method: string, query: URLSearchParams): FaultRule | undefined {
    for (const f of this.faults) {
      if (f.plural && f.plural !== plural) continue;
      if (f.method && f.method !== method) continue;
      if (f.withContinue && !query.get('continue')) continue;
      f.seen += 1;
      if (f.seen <= (f.skip ?? 0) || f.fired >= (f.times ?? 1)) continue;
      f.fired += 1;
      return f;
    }
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
      this.requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), status });
      if (this.requests.length > 2000) this.requests.splice(0, this.requests.length - 2000);
    };
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
      send(401, failureStatus(401));
      return;
    }
    if (url.pathname === '/version') {
      send(200, { major: '1', minor: '33', gitVersion: 'v1.33.0-keyring-emulator', platform: 'linux/amd64' });
      return;
    }
    const route = this.route(url.pathname.split('/').filter(Boolean));
    if (!route) {
      send(404, failureStatus(404, 'the server could not find the requested resource', { details: {} }));
      return;
    }
    const { plural } = route.type;
    this.requestCounts.set(plural, (this.requestCounts.get(plural) ?? 0) + 1);
    const fault = this.fault(plural, method, url.searchParams);
    if (fault?.compact) this.compact();
    if (fault?.status) {
      send(fault.status, failureStatus(fault.status), fault.status === 429 ? { 'Retry-After': '1' } : {});
      return;
    }
    if (method === 'GET' && !route.name) {
      const [status, payload] = this.list(route, url.searchParams);
      send(status, payload);
    } else if (method === 'GET') {
      const object = this.store.get(route.type, objectKey(route.namespace, route.name!));
      if (object) send(200, this.typed(route.type, object));
      else send(404, notFoundStatus(plural, route.name!, route.type.group));
    } else if (method === 'DELETE' && route.name) {
      const [status, payload] = this.remove(route, body);
      send(status, payload);
    } else {
      send(405, failureStatus(405, `the server does not allow this method on the requested resource`));
    }
  }

  private typed(type: ResourceType, object: KubeObject): KubeObject {
    return { kind: type.kind, apiVersion: apiVersionOf(type), ...object };
  }

  private list(route: Route, query: URLSearchParams): [number, KubeObject | ApiStatus] {
    const { type } = route;
    const limit = Number(query.get('limit') ?? 0);
    const token = query.get('continue');
    let start = '';
    let listRevision = this.store.resourceVersion;
    if (token) {
      const decoded = decodeContinue(token);
      if (!decoded) return [400, failureStatus(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')];
      if (decoded.rv < this.store.compactedRevision) {
        return [410, expiredStatus(encodeContinue(this.store.resourceVersion, decoded.start))];
      }
      start = decoded.start;
      listRevision = decoded.rv;
    }
    const prefix = route.namespace ? `${route.namespace}/` : '';
    const page = this.store.list(type, { start, prefix, limit: limit > 0 ? limit : Number.MAX_SAFE_INTEGER });
    const metadata: Record<string, unknown> = { resourceVersion: String(listRevision) };
    if (page.more) {
      metadata.continue = encodeContinue(listRevision, `${page.items[page.items.length - 1].key}\u0000`);
      metadata.remainingItemCount = page.remaining;
    }
    return [
      200,
      {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata,
        items: page.items.map(i => (type.itemsTyped ? this.typed(type, i.object) : stripType(i.object))),
      },
    ];
  }

  private remove(route: Route, body: string): [number, KubeObject | ApiStatus] {
    const { type } = route;
    const key = objectKey(route.namespace, route.name!);
    const existing = this.store.get(type, key);
    if (!existing) return [404, notFoundStatus(type.plural, route.name!, type.group)];
    let preconditions: { uid?: string; resourceVersion?: string } = {};
    try {
      preconditions = body ? (JSON.parse(body).preconditions ?? {}) : {};
    } catch {
      return [400, failureStatus(400, 'the body of the request was in an unknown format')];
    }
    const meta = existing.metadata ?? {};
    for (const field of ['uid', 'resourceVersion'] as const) {
      if (preconditions[field] && preconditions[field] !== meta[field]) {
        const label = field === 'uid' ? 'UID' : 'ResourceVersion';
        return [
          409,
          failureStatus(409, `Operation cannot be fulfilled on ${type.plural} "${route.name}": Precondition failed: ${label} in precondition: ${preconditions[field]}, ${label} in object meta: ${meta[field]}`, {
            details: { name: route.name, kind: type.plural },
          }),
        ];
      }
    }
    this.store.delete(type, key);
    return [200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: route.name, kind: type.plural, uid: meta.uid } }];
  }
}

function stripType(object: KubeObject): KubeObject {
  if (!('kind' in object) && !('apiVersion' in object)) return object;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
