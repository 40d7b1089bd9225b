import { inShard, type ScannerContext } from '@keyring/plugin-machine-identity-node';

/** The namespace part of locations of cluster-scoped objects (`cluster/-/APIService/…`): never a namespace's name. */
const CLUSTER_SCOPED = '-';

/**
 * The namespaces of this run's shard where the source's identities were last
 * seen (`context.lastSeenScopes`, from the inventory: earlier runs on any
 * replica, before any restart) and that a complete namespace list, `listed`,
 * no longer holds, as scopes `cluster/ns/`: each was deleted, positive
 * evidence that everything seen in it is gone. Call only with a complete list.
 * A namespace stays vanished until what was seen in it is retired, so every
 * later run reports it again (the run that first missed it may end partial,
 * or its retirement be held back by the share guard). Memory: the vanished
 * namespaces; the places are read a few at a time.
 */
export async function vanishedNamespaces(context: ScannerContext, cluster: string, listed: ReadonlySet<string>): Promise<string[]> {
  const vanished: string[] = [];
  const under = `${cluster}/`;
  for await (const scope of context.lastSeenScopes?.(under) ?? []) {
    if (!scope.startsWith(under) || !scope.endsWith('/')) continue;
    const name = scope.slice(under.length, -1);
    if (name && name !== CLUSTER_SCOPED && !listed.has(name) && inShard(name, context.shard)) vanished.push(scope);
  }
  return vanished;
}
