import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ScanShard } from './scanning/shard';
import type {
  IdentityAttributes,
  IdentityType,
  Management,
} from '@keyring/plugin-machine-identity-common';

/**
 * Facts a source knows about who owns or uses an identity (Kubernetes
 * `backstage.io/kubernetes-id` label, AWS tags, key comments). Ranks above
 * Component annotations in ownership resolution.
 */
export interface OwnerHint {
  /** Group entity ref, e.g. `group:default/payments`. */
  owner?: string;
  /** Component entity ref, or a bare Component name (resolved in the default namespace). */
  component?: string;
  /** Where the hint came from, e.g. `kubernetes label backstage.io/kubernetes-id=payments-api`. */
  via: string;
  /**
   * `true` for a hint that whoever can edit the credential can write (an SSH
   * key comment): it may fill a gap in ownership, never override a Component
   * annotation. Authoritative source metadata (cloud tags, Kubernetes labels)
   * leaves it unset and outranks annotations.
   */
  fillsGapOnly?: boolean;
}

/**
 * Values matched against Component annotations (`keyring.io/hostnames`,
 * `keyring.io/ssh-hosts`, `keyring.io/ssh-accounts`, `keyring.io/aws-iam-users`,
 * `keyring.io/aws-iam-roles`, `backstage.io/kubernetes-id`).
 */
export interface IdentityLinks {
  /** DNS names (TLS SANs and the host scanned). */
  hostnames?: string[];
  sshHosts?: string[];
  sshAccounts?: string[];
  awsIamUsers?: string[];
  awsIamRoles?: string[];
  kubernetesIds?: string[];
}

/**
 * One sighting of one identity, as a scanner streams it. Never carries secret
 * material: private keys and token values are fingerprinted and dropped by the
 * scanner (tokens through {@link ScannerContext.fingerprintSecret}).
 */
export interface MachineIdentityDiscovery {
  type: IdentityType;
  /** Lower-case hex SHA-256 (certificate DER, SSH key blob, or HMAC of a token). */
  fingerprintSha256: string;
  displayName: string;
  attributes: IdentityAttributes;
  /** Where it was seen: `host:port`, `host:/path:line`, `cluster/ns/secret`, `account/user`. */
  location: string;
  /** Facts about this sighting (TLS version and cipher, key options, account, host). */
  details?: Record<string, unknown>;
  /** Earliest evidence of existence (e.g. file mtime), ISO-8601. */
  firstSeenEvidence?: string;
  management?: Management;
  ownerHint?: OwnerHint;
  links?: IdentityLinks;
}

/** A problem met during a scan, recorded on the scan run. */
export interface ScanProblem {
  location?: string;
  message: string;
  /**
   * Whether the problem means the scanner's view of the source is incomplete
   * (default true). An unreachable configured endpoint is incomplete; a
   * malformed line that was skipped while the rest of the file was read is not.
   */
  incomplete?: boolean;
}

/** One configured source, as handed to a scanner. */
export interface ScanSourceConfig {
  /** Unique kebab-case source id. */
  id: string;
  /** Source type, e.g. `tls`, `certificate-files`, `ssh-files`, `ssh-hosts`. */
  type: string;
  /** The source's whole config block (`machineIdentity.sources[n]`). */
  config: Config;
}

/** What a scanner gets for one run. */
export interface ScannerContext {
  source: ScanSourceConfig;
  logger: LoggerService;
  /** Aborted when the run times out or the backend stops. */
  signal: AbortSignal;
  /** Records a problem on the run. */
  reportProblem(problem: ScanProblem): void;
  /**
   * Records positive evidence about a place: the scanner looked at `scope`
   * and got a definite answer (a TLS endpoint refused the connection or served
   * its chain; a file or directory was read completely). Only identities last
   * seen in a covered place may be retired by a succeeded run; a place that
   * timed out or could not be read is simply not reported, so what was seen
   * there is kept. `scope` covers a location when it is equal to it, when the
   * location continues it with `:` or `#` (`host:/path` covers
   * `host:/path:12`, `/a.pem` covers `/a.pem#2`), or when `scope` ends in `/`
   * and the location starts with it (a directory read completely). A scope
   * `*:<scope>` covers `<host>:<location>` for any host when `<scope>` covers
   * `<location>`: for folders whose paths name their hosts (a fleet tree
   * `<root>/<host>/…`), so a host folder gone from a readable parent is evidence.
   */
  reportCovered(scope: string): void;
  /**
   * The places one level below `under` where this source's identities were
   * last seen and not yet retired, as the inventory holds them: what earlier
   * runs saw, on any replica and before any restart. Each is `under`, one
   * path segment and `/` (`prod/payments/` under `prod/` for a location
   * `prod/payments/Secret/api-tls/tls.crt`), or a whole location that has no
   * `/` after `under`; distinct, read a few at a time (a source of 300,000
   * identities costs one indexed read per place, not its rows).
   *
   * For evidence of what a scanner can no longer list: a place that held
   * identities and that a complete listing of its parent no longer holds
   * (a namespace deleted from the cluster, a host gone from a fleet) is
   * covered — report it with {@link ScannerContext.reportCovered}. Never
   * on a listing that failed, broke off or was refused. Absent in contexts
   * that keep no inventory (test kits): then report nothing.
   */
  lastSeenScopes?(under: string): AsyncIterable<string>;
  /** Records progress on the run. */
  reportProgress(progress: { done: number; total?: number }): void;
  /**
   * HMAC-SHA-256 of a secret value with the server-side key, lower-case hex.
   * Use it to identify tokens without keeping their value.
   */
  fingerprintSecret(value: string | Buffer): string;
  /**
   * Set when the source is sharded (`shards` > 1): this run scans only the
   * keys `inShard` assigns to this shard (endpoints, hosts, file paths,
   * namespaces), and reports coverage only for what it scanned. The run-level
   * retirement rule applies once every shard of the run finished.
   */
  shard?: ScanShard;
}

/**
 * A discovery scanner serves one or more source types. The engine calls
 * `scan` once per run; the run succeeds when the iterable completes without
 * throwing and no incomplete problem was reported, is partial when problems
 * made the view incomplete, and fails when the iterable throws.
 */
export interface MachineIdentityScanner {
  /** Source types this scanner serves, e.g. `['tls', 'certificate-files']`. */
  readonly sourceTypes: readonly string[];
  scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery>;
}
