import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import type { HumanDuration } from '@backstage/types';

export interface Config {
  machineIdentity?: {
    /**
     * Discovery sources. This module serves the `tls` and `certificate-files`
     * types; keys of other types are described by their modules.
     */
    sources?: Array<{
      /** Unique kebab-case source id. */
      id: string;
      /** `tls` (TLS endpoints) or `certificate-files` (certificates on disk). */
      type: string;
      /** When the source is scanned. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;

      /**
       * tls: endpoints to connect to: `host:port`, `host` (port 443),
       * `host:8443,9443`, `[::1]:8443`, and CIDR ranges with port lists such as
       * `127.0.10.0/28:8443,9443` or `[fd00::/120]:443`. A range may hold at
       * most 65,536 addresses (an IPv4 /16). In a range, an address where
       * nothing listens is not a gap in the scan; a listener that fails the
       * TLS handshake is.
       */
      targets?: string[];
      /**
       * tls: SNI names to try on every address (one handshake per name).
       * Default: the hostname of a hostname target, no SNI for IP addresses.
       */
      serverNames?: string[];
      /** tls: handshakes in flight at once (1–4096, default 64). */
      concurrency?: number;
      /** tls: how long a TCP connect may take (default 3 seconds). */
      connectTimeout?: HumanDuration;
      /** tls: how long the TLS handshake may take once connected (default 5 seconds). */
      handshakeTimeout?: HumanDuration;
      /**
       * tls: worker threads that run the TLS handshakes (0–16), so Node's TLS
       * client (about half the CPU of a sweep) does not share the thread that
       * parses certificates and checks trust. 0 runs them in the scan's own
       * thread. Default: 2 on a machine with two or more cores, 0 on one core.
       * Started with the scan's first handshake, stopped when the scan ends.
       */
      handshakeWorkers?: number;
      /** tls: most new connections per second (default: unlimited). */
      rateLimit?: number;
      /**
       * tls: IP addresses and CIDR ranges the scan may connect to, e.g.
       * `['127.0.0.0/8', '10.20.0.0/16']`. Hostnames are checked by what they
       * resolve to. Default: everything except cloud metadata endpoints and
       * link-local addresses (`169.254.0.0/16`, `fd00:ec2::254`, `fe80::/10`);
       * loopback is allowed.
       */
      allowedRanges?: string[];
      /**
       * tls: most connections one scan may plan, counted as addresses × ports
       * × SNI names over all targets (default 131,072). A larger source is
       * refused with a configuration error.
       */
      maxEndpoints?: number;

      /**
       * tls and certificate-files: CA certificate files (PEM, DER or PKCS#7)
       * a chain must lead to for `chainTrusted`; overrides
       * `machineIdentity.policies.tls.approvedIssuers` for this source.
       */
      trustedCaFiles?: string[];

      /**
       * certificate-files: glob patterns (fast-glob syntax, dot files
       * included) of PEM (any number of blocks), DER, PKCS#7 (`.p7b`, PEM or
       * DER) and PKCS#12 files, e.g. `/etc/ssl/private-certs/**\/*.{pem,crt,der,p7b,p12}`.
       * Private keys in these files are skipped unread.
       */
      paths?: string[];
      /**
       * certificate-files: password of the PKCS#12 stores.
       * @visibility secret
       */
      pkcs12Password?: string;
    }>;
    /** The revocation workflow (the backend plugin declares its other keys). */
    revocation?: {
      /**
       * ACME CAs (RFC 8555) that TLS certificates are revoked at when a
       * revocation request is executed, chosen by the certificate's issuer.
       * The certificate is read back from a place the `tls` or
       * `certificate-files` scanner saw it; revocation does not remove it
       * from there, so the request verifies once re-scans no longer see it.
       * A certificate no CA here issued stays a manual task.
       */
      acme?: Array<{
        /** Kebab-case name of the CA, shown in request outcomes. */
        id: string;
        /** The CA's ACME directory URL (HTTPS), e.g. `https://acme-v02.api.letsencrypt.org/directory`. */
        directoryUrl: string;
        /**
         * PEM file of the ACME account key that ordered the certificates
         * (revocation is signed with it). Read at revocation time, never stored.
         * @visibility secret
         */
        accountKeyFile: string;
        /** PEM file of extra CA certificates trusted for the directory's HTTPS (a private ACME server). */
        caBundleFile?: string;
        /**
         * Issuer names (as Keyring shows them, `CN = R11, O = Let's Encrypt, C = US`)
         * of certificates this CA issued; `*` matches any characters, case-insensitive.
         */
        issuers: string[];
      }>;
    };
    /** Thresholds of this module's `tls.*` policy rules (docs/architecture.md, "Policy"). */
    policies?: {
      tls?: {
        /**
         * CA certificate files (PEM, DER or PKCS#7); a chain that leads to one
         * is `chainTrusted`, and `tls.issuer` flags certificates whose chain
         * does not (unchecked while the list is empty).
         */
        approvedIssuers?: string[];
        /** `tls.validity`: maximum validity in days of public (default 90) and internal (default 365) certificates. */
        maxValidityDays?: { public?: number; internal?: number };
        /** `tls.expiry`: days before expiry at which to warn (default `[30, 14, 7]`); within the smallest it is an error. */
        expiryWarningDays?: number[];
        /** `tls.expiry`: also warn when this share (0..1) of a certificate's lifetime is left (default 0.33). */
        expiryWarningLifetimeShare?: number;
        /** `tls.key-size`: minimum RSA key size in bits (default 2048). */
        minRsaBits?: number;
        /** `tls.key-size`: minimum ECDSA curve size in bits (default 256). */
        minEcdsaBits?: number;
      };
    };
  };
}
