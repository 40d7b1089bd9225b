import type { components } from './generated/openapi';

type ApiSchemas = components['schemas'];

/** Kinds of machine identity Keyring inventories. */
export type IdentityType = ApiSchemas['IdentityType'];

/** Every identity type, in display order. */
export const IDENTITY_TYPES: readonly IdentityType[] = [
  'tls-certificate',
  'ssh-key',
  'api-token',
  'service-account',
  'workload-identity',
  'secret',
];

/** Lifecycle state of an identity in the inventory. */
export type IdentityState = ApiSchemas['IdentityState'];

/** Every identity state. */
export const IDENTITY_STATES: readonly IdentityState[] = [
  'active',
  'gone',
  'pending-revocation',
  'revoked',
];

/** Whether an identity's rotation is automated (cert-manager, ACME, rotation schedule). */
export type Management = ApiSchemas['Management'];

/** Outcome of an ownership review for an identity. */
export type ReviewStatus = ApiSchemas['ReviewStatus'];

/** The rule that decided who owns an identity, in precedence order. */
export type OwnershipRule = ApiSchemas['OwnershipRule'];

/** Policy violation severity. */
export type Severity = ApiSchemas['Severity'];

/**
 * Descriptive attributes of an identity, as scanners report them: every
 * field of the API's `Identity` schema that is not inventory bookkeeping.
 * All optional: each type fills what it has. Dates are ISO-8601 strings.
 * A new attribute goes into `openapi.yaml` first (`npm run generate:api`).
 */
export type IdentityAttributes = Omit<
  ApiSchemas['Identity'],
  | 'id'
  | 'type'
  | 'fingerprintSha256'
  | 'displayName'
  | 'owner'
  | 'component'
  | 'ownershipRule'
  | 'state'
  | 'management'
  | 'firstSeen'
  | 'lastSeen'
  | 'observationCount'
  | 'violationCount'
  | 'reviewStatus'
>;

/** One place a scan saw an identity (facts in `details`: TLS version and cipher, authorized_keys option names, account, host, line). */
export type Observation = ApiSchemas['Observation'];

/** A policy violation of one identity. */
export type Violation = ApiSchemas['Violation'];

/** A change in an identity's history (audit event). */
export type HistoryEvent = ApiSchemas['HistoryEvent'];

/** An identity as the REST API returns it: the {@link IdentityAttributes} plus inventory fields. */
export type Identity = ApiSchemas['Identity'];

/** One identity with everything known about it. */
export type IdentityDetails = ApiSchemas['IdentityDetails'];

/** A page of results with an opaque cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
  /** Every item matching the query, across all pages (where the list counts them). */
  total?: number;
}

/** One error recorded on a scan run. */
export type ScanError = ApiSchemas['ScanError'];

/** A scan of one source; only a succeeded run retires identities. */
export type ScanRun = ApiSchemas['ScanRun'];

/** Status of a scan run. */
export type ScanStatus = ScanRun['status'];

/** A configured discovery source and its last run. */
export type ScanSource = ApiSchemas['ScanSource'];

/** Inventory totals for the overview, with open violations per rule (`byRule`). */
export type InventorySummary = ApiSchemas['InventorySummary'];

/**
 * An identity as the change feed (`GET /changes`) returns it to the catalog
 * entity provider: the identity at its latest change, with the change's
 * sequence number. Ordered by `changeSeq`; each identity appears once, at
 * its latest change, so reading from `since=0` yields the whole inventory.
 */
export type IdentityChange = ApiSchemas['IdentityChange'];

/** One page of the change feed. */
export type ChangeFeedPage = ApiSchemas['ChangeFeedPage'];
