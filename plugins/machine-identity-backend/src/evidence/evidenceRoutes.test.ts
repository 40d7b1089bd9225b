import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { TestDatabases, mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { NOW, days, migrateInventory, seedKnownInventory } from '../facts/__fixtures__/knownInventory';
import { EVIDENCE_PARTS } from './controls';
import { createApiRouter } from '../service/createApiRouter';
import { addEvidenceRoutes } from './evidenceRoutes';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const AUTH = mockCredentials.user.header();
const FROM = days(-20);

async function app(databaseId: Parameters<typeof databases.init>[0], allow = true) {
  const knex = await databases.init(databaseId);
  await migrateInventory(knex);
  await seedKnownInventory(knex, NOW);
  const permissions = mockServices.permissions.mock({
    authorizeConditional: async () =>
      [allow ? { result: AuthorizeResult.ALLOW } : { result: AuthorizeResult.CONDITIONAL, pluginId: 'machine-identity', resourceType: 'machine-identity', conditions: { rule: 'IS_OWNER', resourceType: 'machine-identity', params: {} } }] as any,
  });
  const logger = mockServices.logger.mock();
  const router = await createApiRouter();
  addEvidenceRoutes(router, { db: knex, httpAuth: mockServices.httpAuth(), permissions, logger });
  const server = express().use(router).use(MiddlewareFactory.create({ logger, config: mockServices.rootConfig() }).error());
  return { http: request(server), knex };
}

/** An inventory row of the known inventory: what differs per identity, the rest is the fixture's. */
function inv(id: string, type: string, management: string, state: string, owner: string | null, component: string | null, rule: string, notBefore: string | null, notAfter: string | null, open: number) {
  return {
    id, type, display_name: `${id}.example.test`, fingerprint_sha256: id.padEnd(64, '0'), subject: `CN=${id}.example.test`,
    issuer: null, serial_number: null, not_before: notBefore, not_after: notAfter, key_algorithm: null, key_size: null,
    management, state, state_changed_at: days(-30), first_seen: days(-60), last_seen: days(-1), owner, component,
    ownership_rule: rule, ownership_via: `test rule ${rule}`, open_violations: open, review_status: 'never',
  };
}
const P = 'group:default/payments';
const API = 'component:default/payments-api';
const INVENTORY = [
  inv('a1', 'tls-certificate', 'automated', 'active', P, API, 'component-annotation', days(-10), days(80), 0),
  inv('a2', 'tls-certificate', 'automated', 'active', P, API, 'component-annotation', days(-80), days(10), 1),
  inv('a3', 'tls-certificate', 'manual', 'active', P, API, 'component-annotation', days(-100), days(-1), 1),
  inv('a4', 'ssh-key', 'unmanaged', 'active', P, API, 'component-annotation', null, null, 0),
  inv('a5', 'api-token', 'automated', 'active', P, API, 'source-metadata', null, days(3), 0),
  // a6 is gone since before the period: not in it
  inv('a7', 'tls-certificate', 'automated', 'pending-revocation', P, API, 'component-annotation', days(-1), days(89), 0),
  inv('b1', 'tls-certificate', 'manual', 'active', P, null, 'source-metadata', days(-10), days(200), 0),
  inv('c1', 'workload-identity', 'automated', 'active', null, 'component:default/legacy', 'source-metadata', null, null, 0),
  inv('s1', 'ssh-key', 'manual', 'active', 'group:default/security', null, 'fallback', null, null, 1),
  inv('s2', 'service-account', 'unmanaged', 'active', null, null, 'fallback', null, null, 0),
];
const OWNERS = [
  { owner: null, ownership_rule: 'fallback', identities: 1, violating: 0 },
  { owner: null, ownership_rule: 'source-metadata', identities: 1, violating: 0 },
  { owner: P, ownership_rule: 'component-annotation', identities: 5, violating: 2 },
  { owner: P, ownership_rule: 'source-metadata', identities: 2, violating: 0 },
  { owner: 'group:default/security', ownership_rule: 'fallback', identities: 1, violating: 1 },
];
const violation = (id: number, identity: string, rule: string, severity: string, resolved: boolean) => ({
  id, identity_id: identity, identity_display_name: `${identity}.example.test`, rule_id: rule, severity,
  message: `${rule} on ${identity}`, remediation: `fix ${rule}`, first_detected: days(-20), resolved_at: resolved ? days(-5) : null,
});
const VIOLATIONS = [
  violation(1, 'a3', 'tls.expired', 'error', false),
  violation(2, 'a2', 'tls.expiring', 'warning', false),
  violation(3, 'a1', 'tls.key-size', 'error', true),
  violation(4, 'a6', 'tls.expired', 'error', false),
  violation(5, 's1', 'ssh.unused', 'info', false),
];
const WAIVERS = [{ id: 1, identity_id: 'a4', rule_id: 'ssh.no-expiry', reason: 'HSM-held key', approver: 'user:default/alice', created_at: days(-3), expires_at: days(60) }];
const REVIEW_DECISIONS = ['a1', 'a2', 'a3', 'a4', 'a5'].map(identity => ({
  campaign_id: 'rc1', campaign_owner: P, identity_id: identity, decision: 'confirm', to_owner: null, comment: null, decided_by: 'user:default/carol', decided_at: days(-16),
}));
const revocation = (id: string, identity: string, owner: string, state: string, extra: Record<string, string> = {}) => ({
  id, identity_id: identity, state, trigger: 'manual', reason: `revoke ${identity}`, owner, requested_by: 'user:default/dave', requested_at: days(-9),
  decided_by: null, decided_at: null, expires_at: null, execute_after: null, executed_at: null, verified_at: null, ...extra,
});
const REVOCATIONS = [
  revocation('r1', 'a2', P, 'requested', { expires_at: days(-1) }),
  revocation('r2', 'a3', P, 'requested', { expires_at: days(1) }),
  revocation('r3', 'a5', P, 'approved', { execute_after: new Date(NOW.getTime() - 7_200_000).toISOString() }),
  revocation('r4', 's1', 'group:default/security', 'manual'),
  revocation('r5', 'a1', P, 'verified', { verified_at: days(-2) }),
];
const AUDIT = [
  { id: 1, at: days(-3), identity_id: 'a4', action: 'waiver-added', actor: 'user:default/alice', message: 'Waived ssh.no-expiry' },
  { id: 3, at: days(-2), identity_id: null, action: 'scan-source-added', actor: 'user:default/bob', message: 'Source demo-tls added' },
];
const ALL = { inventory: INVENTORY, owners: OWNERS, violations: VIOLATIONS, waivers: WAIVERS, review_decisions: REVIEW_DECISIONS, revocations: REVOCATIONS, audit_trail: AUDIT };

/** RFC 4180 reader for the test: sections start with `section,<name>`. */
function readCsv(text: string) {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  const sections: Record<string, Record<string, string>[]> = {};
  let name = '';
  let header: string[] | undefined;
  for (const r of rows) {
    if (r.length === 1 && r[0] === '') { header = undefined; continue; }
    if (r[0] === 'section' && !header) { name = r[1]; sections[name] = []; continue; }
    if (name === 'summary' && r[0] === 'generated_at') continue;
    if (!header) { header = r; continue; }
    sections[name].push(Object.fromEntries(header.map((h, i) => [h, r[i]])));
  }
  return sections;
}
const asCsv = (rows: Record<string, unknown>[]) =>
  rows.map(r => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])));

describe('GET /evidence', () => {
  it.each(databases.eachSupportedId())('exports every part of a known inventory as JSON, every row and column (%p)', async databaseId => {
    const { http, knex } = await app(databaseId);
    const res = await http.get('/evidence').query({ from: FROM, to: NOW.toISOString() }).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="keyring-evidence-2026-11-11_2026-12-01.json"');
    const total = Object.values(ALL).reduce((n, rows) => n + rows.length, 0);
    expect(res.headers['x-evidence-rows']).toBe(String(total));
    const body = JSON.parse(res.text);
    expect(body.scope).toEqual({ from: FROM, to: NOW.toISOString() });
    expect(body.summary).toEqual(
      EVIDENCE_PARTS.map(p => ({ ...p, available: true, rows: ALL[p.part].length })),
    );
    expect(Object.keys(body)).toEqual(['generatedAt', 'scope', 'summary', ...EVIDENCE_PARTS.map(p => p.part)]);
    for (const [part, rows] of Object.entries(ALL)) {
      expect({ part, rows: body[part] }).toEqual({ part, rows });
    }
    await knex.destroy();
  });

  it.each(databases.eachSupportedId())('exports the same rows as CSV sections with the summary sheet first (%p)', async databaseId => {
    const { http, knex } = await app(databaseId);
    const res = await http.get('/evidence').query({ from: FROM, to: NOW.toISOString(), format: 'csv' }).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const sections = readCsv(res.text);
    expect(Object.keys(sections)).toEqual(['summary', ...EVIDENCE_PARTS.map(p => p.part)]);
    expect(sections.summary).toEqual(
      EVIDENCE_PARTS.map(p => ({ part: p.part, available: 'true', rows: String(ALL[p.part].length), controls: p.controls.join('; '), description: p.description })),
    );
    for (const [part, rows] of Object.entries(ALL)) {
      expect({ part, rows: sections[part] }).toEqual({ part, rows: asCsv(rows) });
    }
    await knex.destroy();
  });

  it.each(databases.eachSupportedId())('limits every part to one owner (%p)', async databaseId => {
    const { http, knex } = await app(databaseId);
    const res = await http.get('/evidence').query({ from: FROM, to: NOW.toISOString(), owner: 'payments' }).set('Authorization', AUTH);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.scope.owner).toBe(P);
    expect(body.inventory.map((r: any) => r.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a7', 'b1']);
    expect(body.owners).toEqual(OWNERS.filter(o => o.owner === P));
    expect(body.violations.map((r: any) => r.id)).toEqual([1, 2, 3, 4]);
    expect(body.waivers).toEqual(WAIVERS);
    expect(body.review_decisions).toEqual(REVIEW_DECISIONS);
    expect(body.revocations.map((r: any) => r.id)).toEqual(['r1', 'r2', 'r3', 'r5']);
    expect(body.audit_trail).toEqual([AUDIT[0]]);
    await knex.destroy();
  });

  it('refuses callers with only conditional machine-identity.read, and invalid parameters', async () => {
    const denied = await app('SQLITE_3', false);
    expect((await denied.http.get('/evidence').set('Authorization', AUTH)).status).toBe(403);
    await denied.knex.destroy();
    const { http, knex } = await app('SQLITE_3');
    for (const query of [{ format: 'xlsx' }, { from: 'yesterday' }, { from: NOW.toISOString(), to: days(-1) }, { limit: '5' }]) {
      const res = await http.get('/evidence').query(query).set('Authorization', AUTH);
      expect({ query, status: res.status, name: res.body.error?.name }).toEqual({ query, status: 400, name: 'InputError' });
    }
    await knex.destroy();
  });
});
