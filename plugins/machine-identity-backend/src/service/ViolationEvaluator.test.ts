import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ViolationDigestSource } from '../notifications/ViolationDigestSource';
import { discovery } from '../__testUtils__/testScannerModule';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { PolicyEvaluation } from '../policy/PolicyEvaluation';
import type { PolicyContext, PolicyEngine, RuleResult } from '../policy/types';
import { ViolationEvaluator } from './ViolationEvaluator';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A small real engine: expiry by notAfter, decommissioned components, shared keys. */
class TestPolicyEngine implements PolicyEngine {
  contexts: PolicyContext[] = [];
  evaluate(identity: Identity, context: PolicyContext): RuleResult[] {
    this.contexts.push(context);
    const out: RuleResult[] = [];
    if (identity.notAfter && Date.parse(identity.notAfter) < context.now.getTime()) {
      out.push({ ruleId: 'tls.expired', severity: 'error', message: `expired ${identity.notAfter}`, remediation: 'renew' });
    }
    if (context.componentLifecycle === 'decommissioned') {
      out.push({ ruleId: 'any.decommissioned', severity: 'warning', message: 'component decommissioned', remediation: 'revoke' });
    }
    if ((context.distinctAccounts ?? 0) > 1) {
      out.push({ ruleId: 'ssh.shared-key', severity: 'warning', message: `seen under ${context.distinctAccounts} accounts`, remediation: 'split' });
    }
    return out;
  }
  describe() {
    return [];
  }
}

const resolveFallback = () => ({ owner: 'group:default/security', rule: 'fallback' as const, via: 'test' });

describe('ViolationEvaluator', () => {
  it.each(databases.eachSupportedId())(
    'opens, keeps, resolves violations, honours waivers and bumps change_seq only on compliance flips (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseInventoryStores.fromKnex(knex);
      const engine = new TestPolicyEngine();
      const logger = mockServices.logger.mock();
      const policy = PolicyEvaluation.create({
        engine,
        components: () =>
          ComponentIndex.fromEntities([
            { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'old', annotations: { 'keyring.io/hostnames': 'old.example.test' } }, spec: { owner: 'team', lifecycle: 'decommissioned' } },
          ]),
        logger,
      });
      const evaluator = ViolationEvaluator.create({ stores: store, policy, logger });
      /** An identity's open violations, as its detail shows them. */
      const openOf = async (id: string) => (await store.identities.getDetail(id))!.violations;
      const t0 = new Date('2026-11-01T00:00:00.000Z');
      const notAfter = '2026-11-10T00:00:00.000Z';
      const { identityIds } = await writeDiscoveries(store, {
        scanId: 's1',
        sourceId: 'alpha',
        now: t0.toISOString(),
        resolveOwnership: resolveFallback,
        discoveries: [
          discovery(1, { attributes: { notAfter } }),
          discovery(2, { location: 'host-a:/home/deploy/.ssh/authorized_keys:1', details: { account: 'deploy' } }),
          discovery(2, { location: 'host-b:/home/admin/.ssh/authorized_keys:3', details: { account: 'admin' } }),
        ],
      });
      const [id1, id2] = identityIds;
      await evaluator.evaluate(identityIds, t0);
      expect(await openOf(id1)).toEqual([]);
      expect((await openOf(id2)).map(v => v.ruleId)).toEqual(['ssh.shared-key']);
      expect(engine.contexts.find(c => c.distinctAccounts === 2)?.observations).toHaveLength(2);

      const seqBefore = (await store.changes.list(0, 100)).items.find(i => i.id === id1)!.changeSeq;
      const t1 = new Date('2026-11-11T00:00:00.000Z');
      await evaluator.evaluate(identityIds, t1);
      const [expired] = await openOf(id1);
      expect(expired).toMatchObject({ ruleId: 'tls.expired', firstDetected: t1.toISOString() });
      const change = (await store.changes.list(0, 100)).items.find(i => i.id === id1)!;
      expect(change.changeSeq).toBeGreaterThan(seqBefore);
      expect(change.compliance).toBe('violating');
      expect(change.violationCount).toBe(1);

      // re-evaluation keeps first_detected and does not bump change_seq
      await evaluator.evaluate(identityIds, new Date('2026-11-12T00:00:00.000Z'));
      expect((await openOf(id1))[0].firstDetected).toBe(t1.toISOString());
      expect((await store.changes.list(0, 100)).items.find(i => i.id === id1)!.changeSeq).toBe(change.changeSeq);

      // the digest source groups open violations by owner, most urgent first
      const digest = await ViolationDigestSource.create({ violations: store.violations }).listOpenViolationsByOwner({ minSeverity: 'warning', limitPerOwner: 10 });
      expect(digest).toEqual([
        expect.objectContaining({
          owner: 'group:default/security',
          identityCount: 2,
          violationCount: 2,
          violations: [
            expect.objectContaining({ ruleId: 'tls.expired', notAfter }),
            expect.objectContaining({ ruleId: 'ssh.shared-key' }),
          ],
        }),
      ]);
      expect(await ViolationDigestSource.create({ violations: store.violations }).listOpenViolationsByOwner({ minSeverity: 'error', limitPerOwner: 10 })).toEqual([
        expect.objectContaining({ violationCount: 1 }),
      ]);

      // an unexpired waiver resolves it; an expired one does not count
      await store.violations.addWaiver({ identityId: id2, ruleId: 'ssh.shared-key', reason: 'bastion', approver: 'user:default/alice', expiresAt: '2026-11-20T00:00:00.000Z' }, t1.toISOString());
      await evaluator.evaluate([id2], new Date('2026-11-15T00:00:00.000Z'));
      expect(await openOf(id2)).toEqual([]);
      const resolvedRow = await knex('violations').where({ identity_id: id2 }).first();
      expect(resolvedRow.resolved_at).toBe('2026-11-15T00:00:00.000Z');
      await evaluator.evaluate([id2], new Date('2026-11-21T00:00:00.000Z'));
      const reopened = await openOf(id2);
      expect(reopened.map(v => v.firstDetected)).toEqual(['2026-11-21T00:00:00.000Z']);
      expect(Number((await knex('violations').count({ n: '*' }).first())!.n)).toBe(3);

      const page = await store.violations.list({ ruleId: 'tls.expired' }, { limit: 10 });
      expect(page.items).toEqual([expect.objectContaining({ identityId: id1, identityDisplayName: 'identity-1.example.test' })]);
    },
  );

  it.each(databases.eachSupportedId())(
    'writes 1,000 discoveries in a handful of statements (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseInventoryStores.fromKnex(knex);
      let statements = 0;
      const count = () => {
        statements += 1;
      };
      knex.on('query', count);
      const discoveries = Array.from({ length: 1000 }, (_, i) => discovery(i + 1));
      await writeDiscoveries(store, { scanId: 's1', sourceId: 'alpha', now: new Date().toISOString(), resolveOwnership: resolveFallback, discoveries });
      const first = statements;
      statements = 0;
      await writeDiscoveries(store, { scanId: 's2', sourceId: 'alpha', now: new Date().toISOString(), resolveOwnership: resolveFallback, discoveries });
      knex.off('query', count);
      // BEGIN, lock, max(seq), 2 selects, 2 upserts, 2 observation upserts, 2 counts, audit, COMMIT
      expect(first).toBeLessThanOrEqual(20);
      expect(statements).toBeLessThanOrEqual(20);
      expect(Number((await knex('identities').count({ n: '*' }).first())!.n)).toBe(1000);
    },
  );
});
