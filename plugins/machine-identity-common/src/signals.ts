/**
 * Signals Keyring's backend publishes (Backstage's signals plugin) and its
 * frontend listens to. Messages carry counts and refs only, never identity
 * details: a listener reloads what it shows through the authorized REST API.
 */

/** The channel of a source's scan progress: one message per progress step and one when the run ends. */
export function scanProgressChannel(sourceId: string): string {
  return `machine-identity:scan:${sourceId}`;
}

/** A scan progress message on {@link scanProgressChannel}. */
export type ScanProgressSignal = {
  scanId: string;
  sourceId: string;
  /** `running` while the scan goes on; the run's outcome in the last message. */
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  /** Endpoints (or files) done, as the scanner reports them. */
  done: number;
  /** Endpoints to do, when the scanner knows. */
  total?: number;
  /** Identities seen so far. */
  seen: number;
};

/** The channel telling that identities owned by, or running in, an entity changed. */
export function inventoryChangedChannel(entityRef: string): string {
  return `machine-identity:inventory:${entityRef}`;
}

/** An inventory change message on {@link inventoryChangedChannel}. */
export type InventoryChangedSignal = {
  entityRef: string;
  /** Identities of the entity whose change-feed position moved. */
  changed: number;
};
