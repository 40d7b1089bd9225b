import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { quarterStart } from '../GovernanceFactsQuery';

/** A fixed clock for the known inventory (quarter Q4 2026 started 2026-10-01). */
export const NOW = new Date('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;
let clock = NOW;
/** Instants relative to the clock the inventory was last seeded for, ISO-8601. */
export const days = (n: number) => new Date(clock.getTime() + n * DAY).toISOString();

/** One identity of the known inventory, with what the facts read. */
export interface KnownIdentity {
  id: string;
  type: string;
  management: string;
  state: string;
  owner?: string;
  component?: string;
  rule: string;
  notBefore?: string;
  notAfter?: string;
}

/**
 * The inventory every facts and evidence test asserts against (dates
 * relative to the clock of the last `seedKnownInventory`):
 * payments-api (7 identities, one gone), payments' own certificate, the
 * fallback owner's orphan and a Component with an owner-less identity.
 */
export const knownIdentities = (): KnownIdentity[] => [
  { id: 'a1', type: 'tls-certificate', management: 'automated', state: 'active', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation', notBefore: days(-10), notAfter: days(80) },
  { id: 'a2', type: 'tls-certificate', management: 'automated', state: 'active', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation', notBefore: days(-80), notAfter: days(10) },
  { id: 'a3', type: 'tls-certificate', management: 'manual', state: 'active', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation', notBefore: days(-100), notAfter: days(-1) },
  { id: 'a4', type: 'ssh-key', management: 'unmanaged', state: 'active', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation' },
  { id: 'a5', type: 'api-token', management: 'automated', state: 'active', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'source-metadata', notAfter: days(3) },
  { id: 'a6', type: 'tls-certificate', management: 'automated', state: 'gone', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation', notBefore: days(-10), notAfter: days(80) },
  { id: 'a7', type: 'tls-certificate', management: 'automated', state: 'pending-revocation', owner: 'group:default/payments', component: 'component:default/payments-api', rule: 'component-annotation', notBefore: days(-1), notAfter: days(89) },
  { id: 'b1', type: 'tls-certificate', management: 'manual', state: 'active', owner: 'group:default/payments', rule: 'source-metadata', notBefore: days(-10), notAfter: days(200) },
  { id: 's1', type: 'ssh-key', management: 'manual', state: 'active', owner: 'group:default/security', rule: 'fallback' },
  { id: 's2', type: 'service-account', management: 'unmanaged', state: 'active', rule: 'fallback' },
  { id: 'c1', type: 'workload-identity', management: 'automated', state: 'active', component: 'component:default/legacy', rule: 'source-metadata' },
];

/** Violations: [id, identity, rule, severity, resolved]. */
export const VIOLATIONS: [number, string, string, string, boolean][] = [
  [1, 'a3', 'tls.expired', 'error', false],
  [2, 'a2', 'tls.expiring', 'warning', false],
  [3, 'a1', 'tls.key-size', 'error', true],
  [4, 'a6', 'tls.expired', 'error', false],
  [5, 's1', 'ssh.unused', 'info', false],
];

function identityRow(identity: KnownIdentity, index: number) {
  const attributes: Record<string, string> = { subject: `CN=${identity.id}.example.test` };
  if (identity.notBefore) attributes.notBefore = identity.notBefore;
  if (identity.notAfter) attributes.notAfter = identity.notAfter;
  return {
    id: identity.id,
    type: identity.type,
    fingerprint_sha256: identity.id.padEnd(64, '0'),
    display_name: `${identity.id}.example.test`,
    subject: attributes.subject,
    attributes: JSON.stringify(attributes),
    not_after: identity.notAfter ?? null,
    owner: identity.owner ?? null,
    component: identity.component ?? null,
    ownership_rule: identity.rule,
    ownership_via: `test rule ${identity.rule}`,
    state: identity.state,
    state_changed_at: days(-30),
    management: identity.management,
    first_seen: days(-60),
    last_seen: days(-1),
    change_seq: index + 1,
    observation_count: 1,
    violation_count: VIOLATIONS.filter(v => v[1] === identity.id && !v[4]).length,
    review_status: 'never',
  };
}

/** Runs the machine-identity plugin's migrations (the real schema). */
export async function migrateInventory(knex: Knex): Promise<void> {
  await knex.migrate.latest({
    directory: resolvePackagePath('@keyring/plugin-machine-identity-backend', 'migrations'),
  });
}

/**
 * Writes the known inventory into a migrated machine-identity database,
 * its dates relative to `now` (campaign rc1 completed in now's quarter, rc2
 * in the quarter before).
 */
export async function seedKnownInventory(knex: Knex, now: Date = NOW): Promise<void> {
  clock = now;
  const quarter = quarterStart(now).getTime();
  await knex('identities').insert(knownIdentities().map(identityRow));
  await knex('violations').insert(
    VIOLATIONS.map(([id, identityId, ruleId, severity, resolved]) => ({
      id,
      identity_id: identityId,
      rule_id: ruleId,
      severity,
      message: `${ruleId} on ${identityId}`,
      remediation: `fix ${ruleId}`,
      first_detected: days(-20),
      resolved_at: resolved ? days(-5) : null,
    })),
  );
  await knex('waivers').insert({
    id: 1, identity_id: 'a4', rule_id: 'ssh.no-expiry', reason: 'HSM-held key', approver: 'user:default/alice', created_at: days(-3), expires_at: days(60),
  });
  await knex('audit_events').insert([
    { id: 1, identity_id: 'a4', at: days(-3), action: 'waiver-added', actor: 'user:default/alice', message: 'Waived ssh.no-expiry' },
    { id: 2, identity_id: 's1', at: days(-40), action: 'owner-changed', actor: 'keyring', message: 'Fallback owner' },
    { id: 3, identity_id: null, at: days(-2), action: 'scan-source-added', actor: 'user:default/bob', message: 'Source demo-tls added' },
  ]);
  await knex('review_campaigns').insert([
    { id: 'rc1', owner: 'group:default/payments', state: 'completed', opened_at: days(-30), opened_by: 'schedule', due_at: days(-10), completed_at: new Date(Math.min(quarter + 60_000, now.getTime())).toISOString(), total: 5, decided: 5, confirmed: 5 },
    { id: 'rc2', owner: 'group:default/security', state: 'completed', opened_at: days(-90), opened_by: 'schedule', due_at: days(-75), completed_at: new Date(quarter - 10 * DAY).toISOString(), total: 1, decided: 1, confirmed: 1 },
  ]);
  await knex('review_items').insert(
    ['a1', 'a2', 'a3', 'a4', 'a5'].map(identityId => ({
      campaign_id: 'rc1', identity_id: identityId, decision: 'confirm', decided_by: 'user:default/carol', decided_at: days(-16),
    })),
  );
  const ownerOf = (identityId: string) => knownIdentities().find(i => i.id === identityId)?.owner;
  const revocation = (id: string, identityId: string, state: string, extra: Record<string, string>) => ({
    id, identity_id: identityId, owner: ownerOf(identityId), state, trigger: 'manual', reason: `revoke ${identityId}`, requested_by: 'user:default/dave', requested_at: days(-9), places: '[]', updated_at: days(-1), ...extra,
  });
  await knex('revocation_requests').insert([
    revocation('r1', 'a2', 'requested', { expires_at: days(-1) }),
    revocation('r2', 'a3', 'requested', { expires_at: days(1) }),
    revocation('r3', 'a5', 'approved', { execute_after: new Date(NOW.getTime() - 7_200_000).toISOString() }),
    revocation('r4', 's1', 'manual', { updated_at: days(-8) }),
  ]);
  await knex('revocation_requests').insert(revocation('r5', 'a1', 'verified', { verified_at: days(-2) }));
}
