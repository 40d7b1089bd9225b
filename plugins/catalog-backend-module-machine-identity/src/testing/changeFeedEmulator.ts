import type { IncomingMessage, ServerResponse } from 'node:http';
import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import type {
  ChangeFeedPage,
  Identity,
  IdentityChange,
} from '@keyring/plugin-machine-identity-common';

/**
 * A machine-identity backend stand-in for tests and the benchmark: a real
 * backend plugin with id `machine-identity` serving `GET /changes` in the
 * change feed's wire format, behind the framework's real service-to-service
 * auth. Used until the real backend plugin can run in the same process.
 */
export class ChangeFeedEmulator {
  private readonly byId = new Map<string, IdentityChange>();
  private seq = 0;
  /** Requests served, by outcome. */
  readonly requests = { ok: 0, failed: 0, unauthorized: 0 };
  /** When set, `/changes` answers 503. */
  failing = false;
  /** When set, `/changes` answers an empty feed (a wiped or broken inventory). */
  empty = false;

  /** Adds or changes identities; each gets a new change sequence. */
  upsert(...identities: Array<Identity & Partial<IdentityChange>>): void {
    for (const identity of identities) {
      const previous = this.byId.get(identity.id);
      this.seq += 1;
      this.byId.set(identity.id, {
        ...identity,
        changeSeq: this.seq,
        stateChangedAt:
          identity.stateChangedAt ??
          (previous && previous.state === identity.state
            ? previous.stateChangedAt
            : new Date().toISOString()),
        compliance: identity.compliance ?? (identity.violationCount > 0 ? 'violating' : 'compliant'),
      });
    }
  }

  /** Drops identities from the inventory entirely (a hard delete; scans never do this). */
  delete(...ids: string[]): void {
    for (const id of ids) this.byId.delete(id);
  }

  /** The identity with this id at its latest change. */
  get(id: string): IdentityChange | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** One page of the feed, as the backend would answer it. */
  page(since: number, limit: number): ChangeFeedPage {
    const items = this.empty
      ? []
      : [...this.byId.values()]
          .filter(item => item.changeSeq > since)
          .sort((a, b) => a.changeSeq - b.changeSeq);
    const pageItems = items.slice(0, limit);
    return {
      items: pageItems,
      nextSince: pageItems.length ? pageItems[pageItems.length - 1].changeSeq : since,
      hasMore: items.length > limit,
    };
  }

  /** The emulator as a backend plugin (`pluginId: 'machine-identity'`). */
  plugin() {
    return changeFeedPlugin(this);
  }
}

function changeFeedPlugin(emulator: ChangeFeedEmulator) {
    return createBackendPlugin({
      pluginId: 'machine-identity',
      register(env) {
        env.registerInit({
          deps: { http: coreServices.httpRouter, httpAuth: coreServices.httpAuth },
          async init({ http, httpAuth }) {
            http.use(async (req: IncomingMessage, res: ServerResponse, next: () => void) => {
              const url = new URL(req.url ?? '/', 'http://localhost');
              if (req.method !== 'GET' || url.pathname !== '/changes') {
                next();
                return;
              }
              try {
                await httpAuth.credentials(req as never, { allow: ['service'] });
              } catch {
                emulator.requests.unauthorized += 1;
                res.statusCode = 401;
                res.end(JSON.stringify({ error: { name: 'AuthenticationError', message: 'service credentials required' } }));
                return;
              }
              res.setHeader('content-type', 'application/json');
              if (emulator.failing) {
                emulator.requests.failed += 1;
                res.statusCode = 503;
                res.end(JSON.stringify({ error: { name: 'ServiceUnavailableError', message: 'inventory unavailable' } }));
                return;
              }
              emulator.requests.ok += 1;
              const since = Number(url.searchParams.get('since') ?? 0);
              const limit = Math.min(Number(url.searchParams.get('limit') ?? 1000), 10_000);
              res.end(JSON.stringify(emulator.page(since, limit)));
            });
          },
        });
      },
    });
}

/** A plausible identity for tests and benchmarks: deterministic from its number. */
export function makeIdentity(n: number, overrides: Partial<Identity> = {}): Identity {
  const fingerprintSha256 = fingerprintOf(n);
  return {
    id: `tls-certificate:${fingerprintSha256}`,
    type: 'tls-certificate',
    fingerprintSha256,
    displayName: `svc-${n}.example.test`,
    subject: `CN=svc-${n}.example.test`,
    notAfter: new Date(Date.UTC(2027, 0, 1) + (n % 365) * 86_400_000).toISOString(),
    keyAlgorithm: 'ECDSA',
    owner: `group:default/team-${n % 20}`,
    component: `component:default/service-${n % 200}`,
    ownershipRule: 'component-annotation',
    state: 'active',
    management: n % 3 === 0 ? 'automated' : 'manual',
    firstSeen: '2026-01-01T00:00:00.000Z',
    lastSeen: '2026-11-01T00:00:00.000Z',
    observationCount: 1,
    violationCount: n % 5 === 0 ? 1 : 0,
    reviewStatus: 'reviewed',
    ...overrides,
  };
}

/** A deterministic 64-hex-digit fingerprint for identity number `n`. */
export function fingerprintOf(n: number): string {
  // Spread n over the first 16 digits so names differ; pad the rest.
  const head = ((n * 2654435761) >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(8, '0');
  return head.padEnd(64, 'a');
}
