import { createApiRef } from '@backstage/core-plugin-api';
import type {
  Identity,
  IdentityDetails,
  IdentityState,
  IdentityType,
  InventorySummary,
  Page,
  ScanRun,
  ScanSource,
  Violation,
} from '@keyring/plugin-machine-identity-common';

/**
 * Filters of `GET /identities`. Every field maps to the query parameter of
 * the same name; `cursor` and `limit` page through the results.
 *
 * @public
 */
export interface IdentityQuery {
  type?: IdentityType;
  owner?: string;
  entityRef?: string;
  state?: IdentityState;
  expiresWithinDays?: number;
  violating?: boolean;
  q?: string;
  cursor?: string;
  limit?: number;
}

/**
 * Filters of `GET /violations`.
 *
 * @public
 */
export interface ViolationQuery {
  entityRef?: string;
  owner?: string;
  ruleId?: string;
  cursor?: string;
  limit?: number;
}

/**
 * A violation as `GET /violations` lists it: the violation plus the display
 * fields of its identity.
 *
 * @public
 */
export type ViolationListItem = Violation & {
  identityDisplayName?: string;
  identityType?: IdentityType;
} & Partial<Pick<Identity, 'owner' | 'component' | 'notAfter'>>;

/**
 * A policy rule as `GET /policy` describes it.
 *
 * @public
 */
export interface PolicyRule {
  id: string;
  appliesTo: string[];
  description: string;
  enabled: boolean;
  parameters: Record<string, unknown>;
  /** Open violations of this rule, when the backend reports it. */
  violationCount?: number;
}

/**
 * The inventory summary, with the optional per-rule violation counts a
 * backend may add (`byRule`) for the "top violated rules" view.
 *
 * @public
 */
export type MachineIdentitySummary = InventorySummary & {
  byRule?: Record<string, number>;
};

/**
 * Keyring's REST API as the frontend uses it.
 *
 * @public
 */
export interface MachineIdentityApi {
  /** One page of identities matching the filters. */
  listIdentities(query?: IdentityQuery): Promise<Page<Identity>>;
  /** One identity with its observations, violations and history. */
  getIdentity(id: string): Promise<IdentityDetails>;
  /** Inventory totals for the overview page. */
  getSummary(): Promise<MachineIdentitySummary>;
  /** Configured scan sources with their last run. */
  listSources(): Promise<ScanSource[]>;
  /** Starts a scan of one source now (or returns the run already going). */
  triggerScan(
    sourceId: string,
  ): Promise<{ scanId: string; alreadyRunning?: boolean }>;
  /** The status of one scan run. */
  getScan(scanId: string): Promise<ScanRun>;
  /** One page of policy violations matching the filters. */
  listViolations(query?: ViolationQuery): Promise<Page<ViolationListItem>>;
  /** The policy as configured. */
  getPolicy(): Promise<PolicyRule[]>;
}

/**
 * Reference to the {@link MachineIdentityApi}.
 *
 * @public
 */
export const machineIdentityApiRef = createApiRef<MachineIdentityApi>({
  id: 'plugin.machine-identity.service',
});
