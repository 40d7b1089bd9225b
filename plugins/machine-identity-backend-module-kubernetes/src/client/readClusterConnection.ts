import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';

/** How to reach one cluster, read from a `kubernetes` source. */
export interface ClusterConnection {
  /** Cluster name used in locations (`cluster/namespace/kind/name`). */
  clusterName: string;
  kubeConfig: KubeConfig;
  /** Namespaces to scan; empty means every namespace. */
  namespaces: string[];
  /** The API server URL (for messages; never carries credentials). */
  server: string;
}

/** `caData` may be the PEM itself or base64 of it (kubeconfig's `certificate-authority-data`). */
function caDataBase64(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.includes('-----BEGIN') ? Buffer.from(value).toString('base64') : value.replace(/\s+/g, '');
}

/**
 * Reads a source's connection: `cluster: { name, url, serviceAccountToken,
 * caData, skipTLSVerify }` or `kubeconfig: { path, context }`, and
 * `namespaces` (empty: all).
 */
export function readClusterConnection(config: Config): ClusterConnection {
  const namespaces = config.getOptionalStringArray('namespaces') ?? [];
  const kubeConfig = new KubeConfig();
  const cluster = config.getOptionalConfig('cluster');
  const kubeconfig = config.getOptionalConfig('kubeconfig');
  if (cluster && kubeconfig) {
    throw new InputError('A kubernetes source has either `cluster` or `kubeconfig`, not both');
  }
  if (cluster) {
    const name = cluster.getString('name');
    const url = cluster.getString('url');
    kubeConfig.loadFromOptions({
      clusters: [{ name, server: url, caData: caDataBase64(cluster.getOptionalString('caData')), skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false }],
      users: [{ name: 'keyring', token: cluster.getOptionalString('serviceAccountToken') }],
      contexts: [{ name, cluster: name, user: 'keyring' }],
      currentContext: name,
    });
    return { clusterName: name, kubeConfig, namespaces, server: url };
  }
  if (kubeconfig) {
    const path = kubeconfig.getString('path');
    try {
      kubeConfig.loadFromFile(path);
    } catch (e) {
      throw new InputError(`Cannot read kubeconfig ${path}: ${(e as Error).message}`);
    }
    const context = kubeconfig.getOptionalString('context');
    if (context) {
      if (!kubeConfig.getContextObject(context)) throw new InputError(`kubeconfig ${path} has no context "${context}"`);
      kubeConfig.setCurrentContext(context);
    }
    const current = kubeConfig.getCurrentCluster();
    if (!current) throw new InputError(`kubeconfig ${path} has no current cluster`);
    return { clusterName: current.name, kubeConfig, namespaces, server: current.server };
  }
  throw new InputError('A kubernetes source needs `cluster: { name, url, … }` or `kubeconfig: { path, context }`');
}
