import type { X509Certificate } from 'node:crypto';
import type { LocalIssuers } from './localIssuers';

/** Longest chain read from a peer. */
export const MAX_CHAIN_DEPTH = 16;

/**
 * The chain `getPeerCertificate(true)` yields, walked through `issuerCertificate` with the
 * first repeated fingerprint ending the walk, built from the certificates in the order the
 * peer presented them (`getPeerX509Certificate()`), without Node's per-certificate objects.
 *
 * Node (src/crypto/crypto_common.cc, GetPeerCert) starts at the first presented
 * certificate and repeatedly takes, as the issuer of the current one, the first remaining
 * presented certificate that issued it (`X509_check_issued`, which is
 * `X509Certificate.checkIssued`), removing it; certificates that issued nothing on that
 * path are dropped, and so is the rest whenever the issuer found was the last remaining
 * certificate (Node's loop test compares the index with the shortened count). While the last one is not self-issued, it appends the issuer from the
 * client context's store ({@link LocalIssuers}). A self-issued last certificate is its own
 * issuer, which ends the walk like any repeated fingerprint.
 */
export function orderPeerChain(presented: readonly X509Certificate[], store: LocalIssuers): X509Certificate[] {
  if (presented.length === 0) return [];
  const remaining = presented.slice(1);
  let current = presented[0];
  const linked = [current];
  for (;;) {
    const i = remaining.findIndex(candidate => current.checkIssued(candidate));
    if (i < 0) break;
    current = remaining[i];
    remaining.splice(i, 1);
    linked.push(current);
    // Node's loop ends when the issuer was the last remaining certificate (its index then
    // equals the shortened count), so what followed it in that case is not linked.
    if (i === remaining.length) break;
  }
  // Bounded: the walk below stops at MAX_CHAIN_DEPTH anyway, and a store could hold a loop.
  while (linked.length <= MAX_CHAIN_DEPTH && !current.checkIssued(current)) {
    const issuer = store.issuerOf(current);
    if (!issuer) break;
    linked.push(issuer);
    if (issuer === current) break;
    current = issuer;
  }
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (const cert of linked) {
    if (chain.length >= MAX_CHAIN_DEPTH) break;
    const key = cert.fingerprint256;
    if (seen.has(key)) break;
    seen.add(key);
    chain.push(cert);
  }
  return chain;
}

/** Most presented certificates read from a peer (a bound on the walk, far above any real chain). */
export const MAX_PRESENTED = 4096;

/** The certificates a peer presented, in its order (`getPeerX509Certificate()` linked by presentation). */
export function presentedCertificates(first: X509Certificate | undefined, limit = MAX_PRESENTED): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (let cert = first; cert && out.length < limit; cert = cert.issuerCertificate) out.push(cert);
  return out;
}
