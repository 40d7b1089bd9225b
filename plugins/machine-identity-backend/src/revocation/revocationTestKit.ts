import { mockServices } from '@backstage/backend-test-utils';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { MachineIdentityDiscovery } from '@keyring/plugin-machine-identity-node';
import type { Knex } from 'knex';
import { DatabaseInventoryStores } from '../database/DatabaseInventoryStores';
import { retireUnseen } from '../inventory/retireUnseen';
import { writeDiscoveries } from '../inventory/writeDiscoveries';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { OwnershipResolver } from '../ownership/OwnershipResolver';
import { DatabaseRevocationStore } from './DatabaseRevocationStore';
import { identityStateOnTransition } from './identityStateOnTransition';
import { RevocationNotifier } from './RevocationNotifier';
import { RevocationService } from './RevocationService';
import type { RevocationSettings } from './readRevocationConfig';

/** Test settings: one-day approval window, no grace period. */
export const testSettings: RevocationSettings = {
  retiredLifecycles: ['decommissioned'],
  removalGraceMs: 60 * 60_000,
  executionGraceMs: 0,
  approvalTimeoutMs: 24 * 60 * 60_000,
  systemActor: 'plugin:machine-identity',
  schedule: { frequency: { minutes: 5 }, timeout: { minutes: 5 } },
};

/** A migrated database with the inventory and revocation stores, a movable clock and recorded notifications. */
export async function revocationFixture(knex: Knex, settings: RevocationSettings = testSettings) {
  const inventory = await DatabaseInventoryStores.fromKnex(knex);
  const store = DatabaseRevocationStore.create({
    client: knex,
    audit: inventory.audit,
    onTransition: identityStateOnTransition(inventory),
  });
  const resolver = OwnershipResolver.create({ fallbackOwner: 'group:default/security' });
  resolver.setIndex(ComponentIndex.empty());
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const sent: Array<Parameters<NotificationService['send']>[0]> = [];
  const notifications: NotificationService = {
    send: async n => {
      sent.push(n);
    },
  };
  const logger = mockServices.logger.mock();
  const notifier = RevocationNotifier.create({ notifications, logger });
  const getIdentity = (id: string) => inventory.identities.get(id);
  const service = RevocationService.create({ store, getIdentity, notifier, settings, clock });
  let scan = 0;
  /** One complete scan of a source that sees exactly `discoveries`. */
  const completeScan = async (sourceId: string, discoveries: MachineIdentityDiscovery[]) => {
    const scanId = `scan-${++scan}`;
    now += 1000;
    const { identityIds } = await writeDiscoveries(inventory, {
      scanId,
      sourceId,
      discoveries,
      now: clock().toISOString(),
      resolveOwnership: resolver.resolve,
    });
    const { retired } = await retireUnseen(inventory, { scanId, sourceId, now: clock().toISOString(), isCovered: () => true, maxShare: 1 });
    return [...identityIds, ...retired];
  };
  const audit = async (identityId: string) =>
    (await knex('audit_events').where({ identity_id: identityId }).orderBy('id')).map(r => r.action as string);
  return {
    knex,
    inventory,
    store,
    service,
    notifier,
    logger,
    clock,
    getIdentity,
    sent,
    completeScan,
    audit,
    advance: (ms: number) => {
      now += ms;
    },
    setIndex: (index: ComponentIndex) => resolver.setIndex(index),
  };
}
