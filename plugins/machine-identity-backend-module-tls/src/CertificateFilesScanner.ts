import os from 'node:os';
import { InputError } from '@backstage/errors';
import type {
  MachineIdentityDiscovery,
  MachineIdentityScanner,
  ScannerContext,
} from '@keyring/plugin-machine-identity-node';
import { certificateToDiscovery } from './certificateToDiscovery';
import { CertificateCache, findFiles, inShard, readCertificateBlocksYielding, readFileBounded } from '@keyring/plugin-machine-identity-node';
import type { ParsedCertificate } from '@keyring/plugin-machine-identity-node';
import { IssuerLinks } from './scanning/IssuerLinks';
import { TrustStore } from './scanning/TrustStore';

/** Files larger than this are not certificate stores and are skipped with a problem. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Options of {@link CertificateFilesScanner.create}. */
export interface CertificateFilesScannerOptions {
  /** CA files from `machineIdentity.policies.tls.approvedIssuers`. */
  approvedIssuerFiles?: string[];
  /** Host name used in locations (`host:/path`); defaults to this machine's. */
  hostname?: string;
  /** Parsed certificates kept across scans, keyed by DER SHA-256 (default: 10,000 owned by the scanner). */
  certificateCache?: CertificateCache;
}

/**
 * Scans certificate files on disk (`type: certificate-files` sources): PEM,
 * DER, PKCS#7 bundles and PKCS#12 stores under configured globs. Private keys
 * in those files are skipped unread; a file that cannot be read or parsed is a
 * problem on that file while the rest of the scan continues.
 */
export class CertificateFilesScanner implements MachineIdentityScanner {
  readonly sourceTypes = ['certificate-files'] as const;

  private readonly certificates: CertificateCache;
  private readonly links = new IssuerLinks();

  private constructor(private readonly options: CertificateFilesScannerOptions) {
    this.certificates = options.certificateCache ?? new CertificateCache();
  }

  static create(options: CertificateFilesScannerOptions = {}): CertificateFilesScanner {
    return new CertificateFilesScanner(options);
  }

  async *scan(context: ScannerContext): AsyncIterable<MachineIdentityDiscovery> {
    const started = Date.now();
    const config = context.source.config;
    const patterns = config.getStringArray('paths');
    if (patterns.length === 0) throw new InputError('A certificate-files source needs at least one path');
    const password = config.getOptionalString('pkcs12Password');
    const trustedCaFiles = config.getOptionalStringArray('trustedCaFiles');
    const parse = (der: Buffer) => this.certificates.parse(der);
    const trust = await TrustStore.fromFiles(trustedCaFiles ?? this.options.approvedIssuerFiles ?? [], parse);
    const publicRoots = TrustStore.publicRoots();
    const host = this.options.hostname ?? os.hostname();

    const found = await findFiles(patterns, { signal: context.signal });
    for (const problem of found.problems) context.reportProblem(problem);
    for (const { path, error } of found.unreadable) context.reportProblem({ location: path, message: `cannot read: ${error}` });
    // A sharded source's run reads (and covers) only this shard's files; every shard lists the folders.
    const files = found.files.map(f => f.path).filter(path => inShard(path, context.shard));
    context.reportProgress({ done: 0, total: files.length });
    let certificates = 0;
    let problems = found.problems.length + found.unreadable.length;
    const unread: string[] = [];
    // A file of thousands of certificates must not hold the event loop: let it turn every 20 ms of work.
    let busySince = Date.now();
    const breathe = async () => {
      if (Date.now() - busySince < 20) return;
      await new Promise(resolve => setImmediate(resolve));
      busySince = Date.now();
    };
    for (const [i, file] of files.entries()) {
      if (context.signal.aborted) {
        context.reportProblem({ message: `scan aborted after ${i} of ${files.length} files` });
        return;
      }
      const location = `${host}:${file}`;
      let parsed: { index: number; cert: ParsedCertificate }[] = [];
      let mtime: string | undefined;
      try {
        const { data, stat } = await readFileBounded(file, MAX_FILE_BYTES);
        mtime = stat.mtime.toISOString();
        const contents = await readCertificateBlocksYielding(data, { pkcs12Password: password });
        for (const block of contents.certificates) {
          await breathe();
          try {
            parsed.push({ index: block.index, cert: parse(block.der) });
          } catch (e) {
            problems++;
            context.reportProblem({
              location: contents.certificates.length > 1 ? `${location}#${block.index}` : location,
              message: (e as Error).message,
            });
          }
        }
        if (contents.certificates.length === 0) {
          context.logger.debug(`No certificate in ${file}${contents.skippedLabels.length ? ` (skipped ${contents.skippedLabels.join(', ')})` : ''}`);
        }
        // Read to the end: what the file holds now is all there is at this location.
        context.reportCovered(location);
      } catch (e) {
        problems++;
        parsed = [];
        unread.push(file);
        context.reportProblem({ location, message: `cannot read certificates: ${(e as Error).message}` });
      }
      const chain = parsed.map(p => p.cert);
      const multi = parsed.length > 1;
      for (const [position, { index, cert }] of parsed.entries()) {
        await breathe();
        certificates++;
        yield certificateToDiscovery(cert, {
          location: multi ? `${location}#${index}` : location,
          details: { path: file, index },
          chainTrusted: trust.verifies(chain, position, this.links),
          publiclyTrusted: publicRoots.verifies(chain, position, this.links),
          chain: undefined,
          firstSeenEvidence: mtime,
        });
      }
      context.reportProgress({ done: i + 1, total: files.length });
      await breathe();
    }
    for (const file of found.absentFiles) if (inShard(file, context.shard)) context.reportCovered(`${host}:${file}`);
    // A folder listed completely is evidence for every file it no longer holds, unless one of its files could not be read.
    // (An unread file of another shard makes that shard, and so the run, partial: nothing is retired.)
    for (const folder of found.completeFolders) {
      if (inShard(folder, context.shard) && !unread.some(file => file.startsWith(folder))) context.reportCovered(`${host}:${folder}`);
    }
    context.logger.info(
      `Read ${files.length.toLocaleString('en-US')} certificate files and found ${certificates.toLocaleString('en-US')} certificates ` +
        `(${problems.toLocaleString('en-US')} problems) in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
  }
}
