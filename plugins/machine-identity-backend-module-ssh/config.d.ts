import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  machineIdentity?: {
    /**
     * Discovery sources. This module serves the `ssh-files` and `ssh-hosts`
     * types; keys of other types are described by their modules.
     */
    sources?: Array<{
      /** Unique kebab-case source id. */
      id: string;
      /** `ssh-files` (authorized_keys / known_hosts files) or `ssh-hosts` (sshd host keys). */
      type: string;
      /** When the source is scanned. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;

      /**
       * ssh-files: glob patterns (fast-glob syntax, dot files included) of
       * authorized_keys and known_hosts files, e.g.
       * `/srv/fleet/**\/authorized_keys`. Files whose name contains
       * `known_hosts` are read as known_hosts, all others as authorized_keys
       * (which also covers `.pub` files). Private key files are skipped.
       */
      paths?: string[];
      /**
       * ssh-files: a regular expression matched against each file's path whose
       * named groups `host` and `account` say which host and account the
       * file belongs to, e.g. `^/srv/fleet/(?<host>[^/]+)/home/(?<account>[^/]+)/`.
       * Default: the account is the folder after `home/` (`root` for
       * `root/.ssh/`); the host is the first folder below the glob's static
       * root, or this machine's hostname for local files.
       */
      pathPattern?: string;

      /**
       * ssh-hosts: endpoints to fetch host keys from: `host:port`, `host`
       * (port 22), `[ipv6]:port`, and CIDR ranges with port lists such as
       * `127.0.20.0/29:22,2222` or `[::1/128]:22` (at most 65,536 addresses
       * per range).
       */
      targets?: string[];
      /** ssh-hosts: endpoints scanned at the same time (default 32). */
      concurrency?: number;
      /** ssh-hosts: TCP connect timeout per endpoint (default 3 seconds). */
      connectTimeout?: HumanDuration | string;
      /** ssh-hosts: SSH key exchange timeout per connection (default 10 seconds). */
      handshakeTimeout?: HumanDuration | string;
      /**
       * ssh-hosts: IP addresses and CIDR ranges the scan may connect to, e.g.
       * `['127.0.0.0/8']`. Hostnames are checked by what they resolve to.
       * Default: everything except cloud metadata endpoints and link-local
       * addresses (`169.254.0.0/16`, `fd00:ec2::254`, `fe80::/10`); loopback is
       * allowed.
       */
      allowedRanges?: string[];
      /** ssh-hosts: most connections one scan may plan, addresses × ports over all targets (default 131,072). */
      maxEndpoints?: number;
    }>;
    /** Thresholds of this module's `ssh.*` policy rules (docs/architecture.md, "Policy"). */
    policies?: {
      ssh?: {
        /** `ssh.algorithm`: key types that pass without a warning (default `ssh-ed25519`, `sk-ssh-ed25519@openssh.com`). */
        allowedKeyTypes?: string[];
        /** `ssh.algorithm`: RSA keys below this size in bits are errors (default 3072). */
        minRsaBits?: number;
        /** `ssh.age`: maximum key age in days, counted from when it was first seen (default 365). */
        maxAgeDays?: number;
      };
    };
  };
}
