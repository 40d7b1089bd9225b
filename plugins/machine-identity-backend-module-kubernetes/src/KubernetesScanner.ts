import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { inShard, type MachineIdentityDiscovery, type MachineIdentityScanner, type ScannerContext } from '@keyring/plugin-machine-identity-node';
import { ClusterReader, type ListedResource } from './client/ClusterReader';
import { IncompleteListError, listPaged } from './client/listPaged';
import { readClusterConnection, type ClusterConnection } from './client/readClusterConnection';
import { caBundleDiscoveries, type CaBundleKind } from './scanning/caBundleDiscoveries';
import { CertManagerIndex } from './scanning/CertManagerIndex';
import { createCertificateFactsCache, type CertificateFactsCache } from './scanning/certificateFacts';
import { CoverageTracker } from './scanning/CoverageTracker';
import { vanishedNamespaces } from './scanning/vanishedNamespaces';
import { kubernetesIdOf } from './scanning/ownership';
import { RbacIndex } from './scanning/RbacIndex';
import { secretDiscoveries } from './scanning/secretDiscoveries';
import { serviceAccountDiscovery } from './scanning/serviceAccountDiscovery';
import { malformedMetadata } from './scanning/validateObject';

/** Options of {@link KubernetesScanner.create}. */
export interface KubernetesScannerOptions {
  /** Objects per LIST page (default 500). */
  pageSize?: number;
  /** Extra attempts of a page after a 5xx, 429 or network error (default 2). */
  retries?: number;
  /** Base backoff between attempts (default 250 ms). */
  backoffMs?: number;
  /** Certificates whose facts are kept across Secrets and runs (default 50,000, ~1 KB each): re-scans skip parsing them. */
  certificateCacheSize?: number;
}

const CA_BUNDLE_KINDS: Array<[ListedResource, CaBundleKind]> = [
  ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'],
  ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'],
  ['apiservices', 'APIService'],
  ['customresourcedefinitions', 'CustomResourceDefinition'],
];

const fmt = (n: number) => n.toLocaleString('en-US');

/** ` (shard 2/4 of 50 namespaces)` for a sharded run, else nothing. */
function shardText(run: ClusterScan): string {
  const shard = run.context.shard;
  if (!run.sharded || !shard) return '';
  return ` (shard ${shard.index + 1}/${shard.count} of ${fmt(run.namespacesInCluster)} namespaces)`;
}

/** One run against one cluster: what the run learns as it goes. */
class ClusterScan {
  readonly reader: ClusterReader;
  readonly rbac = new RbacIndex();
  readonly certManager = new CertManagerIndex();
  /** `backstage.io/kubernetes-id` of each labelled namespace of this run's shard. */
  readonly namespaceIds = new Map<string, string>();
  /** Namespaces the cluster has (listed) or the source names, of this run's shard. */
  readonly namespaces = new Set<string>();
  /** Namespaces listed or named in all shards. */
  namespacesInCluster = 0;
  /** Whether every Secret, ServiceAccount and caBundle object read was well-formed. */
  wellFormed = true;
  /** Legacy token Secrets per service account `ns/name`. */
  readonly tokenSecrets = new Map<string, number>();
  secretsDone = 0;
  secretsTotal: number | undefined;

  constructor(
    readonly connection: ClusterConnection,
    readonly context: ScannerContext,
    readonly options: KubernetesScannerOptions,
    readonly certificates: CertificateFactsCache,
  ) {
    this.reader = new ClusterReader(connection.kubeConfig);
  }

  get cluster() {
    return this.connection.clusterName;
  }

  /** Whether the source is sharded: this run scans only the namespaces `inShard` assigns to its shard. */
  get sharded(): boolean {
    return (this.context.shard?.count ?? 1) > 1;
  }

  /** Whether this run reports cluster-scoped identities (caBundles): unsharded, or shard 0. */
  get ownsClusterScope(): boolean {
    return !this.sharded || this.context.shard!.index === 0;
  }

  /**
   * Namespace scopes to list a namespaced resource in: each namespace of this
   * shard when sharded (`whole`: every namespace, for RBAC, which grants
   * across namespaces), each configured namespace, or all at once.
   */
  scopes(namespaced: boolean, whole = false): Array<string | undefined> {
    if (!namespaced) return [undefined];
    if (this.sharded && !whole) return [...this.namespaces];
    return this.connection.namespaces.length > 0 ? this.connection.namespaces : [undefined];
  }

  /**
   * Lists a resource page by page and yields what `onItem` makes of each
   * object; returns whether the resource was listed completely. A list that
   * breaks off is a problem that makes the run incomplete.
   */
  async *listing(
    resource: ListedResource,
    namespaced: boolean,
    onItem: (item: any) => MachineIdentityDiscovery[] | void,
    options: { onPage?: (meta: any, items: number) => void; notServed?: string; whole?: boolean } = {},
  ): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    let complete = true;
    for (const namespace of this.scopes(namespaced, options.whole)) {
      const what = `${resource} in ${namespace ? `namespace ${namespace}` : namespaced ? 'all namespaces' : 'the cluster'} of ${this.cluster}`;
      try {
        const pages = listPaged(this.reader.list(resource, namespace), {
          what, signal: this.context.signal, logger: this.context.logger,
          pageSize: this.options.pageSize, retries: this.options.retries, backoffMs: this.options.backoffMs, onPage: options.onPage,
        });
        for await (const items of pages) {
          for (const item of items) {
            for (const discovery of onItem(item) ?? []) yield discovery;
          }
        }
      } catch (error) {
        if (error instanceof NotAllowedError) throw error;
        if (error instanceof NotFoundError && options.notServed) {
          this.context.logger.info(`${options.notServed} on cluster ${this.cluster}`);
          break;
        }
        if (!(error instanceof IncompleteListError) && !(error instanceof NotFoundError)) throw error;
        complete = false;
        this.context.reportProblem({ location: `${this.cluster}/${namespace ?? '-'}/${resource}`, message: error.message, incomplete: true });
      }
    }
    return complete;
  }

  /**
   * Whether this run's coverage may be the whole cluster (`cluster/`): an
   * unsharded run over every namespace whose lists all completed and that met
   * no malformed object (whose earlier identities must be kept). Every place
   * in the cluster was then read, deleted namespaces included.
   */
  coversWholeCluster(listsComplete: boolean[]): boolean {
    return !this.sharded && this.connection.namespaces.length === 0 && this.wellFormed && listsComplete.every(Boolean);
  }

  /** Reports `scopes` as covered. */
  cover(scopes: string[]) {
    for (const scope of scopes) this.context.reportCovered(scope);
  }

  /** Records an object skipped as malformed (reported, not incomplete). */
  malformed(kind: string, namespace: string | undefined, name: unknown, why: string) {
    this.context.reportProblem({ location: `${this.cluster}/${namespace ?? '-'}/${kind}/${String(name ?? '')}`, message: `Skipped a malformed ${kind}: ${why}`, incomplete: false });
  }
}

/**
 * Discovers machine identities in a Kubernetes cluster (source type
 * `kubernetes`): certificates and tokens in Secrets, ServiceAccounts with
 * their RBAC grants, cert-manager management of certificates, and the
 * caBundles of webhooks, APIServices and CRD conversion. Every resource is
 * read with paged LISTs (500 per page), one page in memory at a time.
 */
export class KubernetesScanner implements MachineIdentityScanner {
  readonly sourceTypes = ['kubernetes'] as const;
  private readonly certificates: CertificateFactsCache;

  private constructor(private readonly options: KubernetesScannerOptions) {
    this.certificates = createCertificateFactsCache(options.certificateCacheSize);
  }

  /** Creates the scanner. */
  static create(options: KubernetesScannerOptions = {}): KubernetesScanner {
    return new KubernetesScanner(options);
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const started = Date.now();
    const run = new ClusterScan(readClusterConnection(context.source.config), context, this.options, this.certificates);
    let seen = 0;
    const count = async function* (source: AsyncGenerator<MachineIdentityDiscovery, boolean>) {
      let next = await source.next();
      for (; !next.done; next = await source.next()) {
        seen += 1;
        yield next.value;
      }
      return next.value;
    };
    const complete = [
      yield* count(this.readNamespaces(run)),
      yield* count(this.readRbac(run)),
      yield* count(this.readCertManager(run)),
      yield* count(this.readSecrets(run)),
      yield* count(this.readServiceAccounts(run)),
    ];
    if (run.ownsClusterScope) for (const [resource, kind] of CA_BUNDLE_KINDS) complete.push(yield* count(this.readCaBundles(run, resource, kind)));
    if (run.coversWholeCluster(complete)) run.cover([`${run.cluster}/`]);
    context.logger.info(
      `Scanned cluster ${run.cluster}${shardText(run)}: ${fmt(run.secretsDone)} Secrets, ${fmt(run.namespaces.size)} namespaces, ${fmt(run.rbac.bindings)} bindings, ${fmt(run.certManager.size)} cert-manager Certificates; ${fmt(seen)} discoveries in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
  }

  /** Namespaces (this shard's) and their ownership labels (no discoveries of their own). */
  private async *readNamespaces(run: ClusterScan): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    const label = (name: string, ns: any) => {
      const id = kubernetesIdOf(ns?.metadata?.labels);
      if (id) run.namespaceIds.set(name, id);
    };
    if (run.connection.namespaces.length === 0) {
      const listed = new Set<string>();
      const complete = yield* run.listing('namespaces', false, ns => {
        const name = ns?.metadata?.name;
        if (typeof name !== 'string' || !name) return;
        listed.add(name);
        if (!inShard(name, run.context.shard)) return;
        run.namespaces.add(name);
        label(name, ns);
      });
      run.namespacesInCluster = listed.size;
      // Only a complete list is evidence that a namespace it lacks was deleted; each vanished one is covered by its own shard.
      if (complete) run.cover(await vanishedNamespaces(run.context, run.cluster, listed));
      return complete;
    }
    run.namespacesInCluster = run.connection.namespaces.length;
    for (const name of run.connection.namespaces.filter(ns => inShard(ns, run.context.shard))) {
      run.namespaces.add(name);
      try {
        label(name, await run.reader.readNamespace(name));
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === 401) throw new NotAllowedError(`The API server refused the credentials reading namespace ${name}`);
        // Without the namespace's labels its objects still have their own; ownership may fall back.
        if (code !== 404) run.context.logger.warn(`Cannot read namespace ${name} of ${run.cluster}: HTTP ${code ?? 'error'}`);
      }
    }
    return true;
  }

  private async *readRbac(run: ClusterScan): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    const role = (kind: 'Role' | 'ClusterRole') => (r: any) => {
      const bad = malformedMetadata(r, kind === 'Role');
      if (bad) run.malformed(kind, r?.metadata?.namespace, r?.metadata?.name, bad);
      else run.rbac.addRole(kind, r.metadata.namespace, r.metadata.name, r.rules);
    };
    const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding') => (b: any) => {
      const bad = malformedMetadata(b, kind === 'RoleBinding');
      if (bad) run.malformed(kind, b?.metadata?.namespace, b?.metadata?.name, bad);
      else run.rbac.addBinding(kind, b.metadata.namespace, b.metadata.name, b.roleRef, b.subjects);
    };
    const a = yield* run.listing('clusterroles', false, role('ClusterRole'));
    // Every shard reads RBAC whole: a RoleBinding in one namespace may grant a ServiceAccount of another.
    const b = yield* run.listing('roles', true, role('Role'), { whole: true });
    const c = yield* run.listing('clusterrolebindings', false, binding('ClusterRoleBinding'));
    const d = yield* run.listing('rolebindings', true, binding('RoleBinding'), { whole: true });
    return a && b && c && d;
  }

  private async *readCertManager(run: ClusterScan): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    return yield* run.listing(
      'certificates',
      true,
      certificate => {
        const why = run.certManager.add(certificate);
        if (why) run.malformed('Certificate', certificate?.metadata?.namespace, certificate?.metadata?.name, why);
      },
      { notServed: 'cert-manager is not installed (certificates.cert-manager.io not served)' },
    );
  }

  private async *readSecrets(run: ClusterScan): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    const coverage = new CoverageTracker(run.cluster, 'Secret');
    const context = {
      cluster: run.cluster,
      certificates: run.certificates,
      fingerprintSecret: (value: Buffer) => run.context.fingerprintSecret(value),
      namespaceId: (ns: string) => run.namespaceIds.get(ns),
      certManager: run.certManager,
    };
    const complete = yield* run.listing(
      'secrets',
      true,
      secret => {
        const result = secretDiscoveries(secret, context);
        coverage.saw(String(secret?.metadata?.namespace ?? ''), String(secret?.metadata?.name ?? ''), !result.malformed);
        for (const problem of result.problems) run.context.reportProblem(problem);
        if (result.serviceAccount) run.tokenSecrets.set(result.serviceAccount, (run.tokenSecrets.get(result.serviceAccount) ?? 0) + 1);
        run.secretsDone += 1;
        if (run.secretsDone % 500 === 0) run.context.reportProgress({ done: run.secretsDone, total: run.secretsTotal });
        return result.discoveries;
      },
      {
        onPage: (meta, items) => {
          // Only a single list tells the total; of several per-namespace lists the first would tell only its own.
          const once = run.scopes(true).length === 1;
          if (once && run.secretsTotal === undefined && typeof meta?.remainingItemCount === 'number') run.secretsTotal = meta.remainingItemCount + items;
        },
      },
    );
    run.context.reportProgress({ done: run.secretsDone, total: run.secretsTotal ?? run.secretsDone });
    if (coverage.heldMalformed) run.wellFormed = false;
    if (complete) run.cover(coverage.scopes(run.namespaces));
    return complete;
  }

  private async *readServiceAccounts(run: ClusterScan): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    const coverage = new CoverageTracker(run.cluster, 'ServiceAccount');
    const complete = yield* run.listing('serviceaccounts', true, account => {
      const bad = malformedMetadata(account, true);
      coverage.saw(String(account?.metadata?.namespace ?? ''), String(account?.metadata?.name ?? ''), !bad);
      if (bad) {
        run.malformed('ServiceAccount', account?.metadata?.namespace, account?.metadata?.name, bad);
        return [];
      }
      const { namespace, name } = account.metadata;
      return [
        serviceAccountDiscovery(account, {
          cluster: run.cluster,
          grants: run.rbac.grantsOf(namespace, name),
          tokenSecrets: run.tokenSecrets.get(`${namespace}/${name}`) ?? 0,
          namespaceId: run.namespaceIds.get(namespace),
        }),
      ];
    });
    if (coverage.heldMalformed) run.wellFormed = false;
    if (complete) run.cover(coverage.scopes(run.namespaces));
    return complete;
  }

  private async *readCaBundles(run: ClusterScan, resource: ListedResource, kind: CaBundleKind): AsyncGenerator<MachineIdentityDiscovery, boolean> {
    const coverage = new CoverageTracker(run.cluster, kind);
    const complete = yield* run.listing(resource, false, object => {
      const result = caBundleDiscoveries(kind, object, { cluster: run.cluster, certificates: run.certificates });
      coverage.saw('-', String(object?.metadata?.name ?? ''), !result.malformed);
      for (const problem of result.problems) run.context.reportProblem(problem);
      return result.discoveries;
    });
    if (coverage.heldMalformed) run.wellFormed = false;
    if (complete) run.cover(coverage.scopes(['-']));
    return complete;
  }
}
