import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { isError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import { ComponentIndex } from '../ownership/ComponentIndex';
import { normalizeOwnerRef } from '../ownership/refs';
import { findSharedUsers } from './findSharedUsers';
import type { RevocationNotifier } from './RevocationNotifier';
import type { RevocationService } from './RevocationService';
import type { RevocationSettings } from './readRevocationConfig';
import type { RevocationStore } from './types';

/** Options of {@link DecommissionWatcher.create}. */
export interface DecommissionWatcherOptions {
  catalog: CatalogService;
  auth: AuthService;
  store: RevocationStore;
  service: RevocationService;
  getIdentity: (id: string) => Promise<Identity | undefined>;
  notifier: RevocationNotifier;
  settings: RevocationSettings;
  logger: LoggerService;
  clock?: () => Date;
}

/** What one pass did. */
export interface WatchSummary {
  retired: number;
  missing: number;
  requested: number;
  flagged: number;
}

/**
 * Turns retired Components into revocation requests. The catalog emits no
 * change events, so each pass reads every Component: one whose
 * `spec.lifecycle` is retired (`machineIdentity.revocation.lifecycles`) is
 * retired at once; one that identities still link to but the catalog no
 * longer has is `missing` first and retired only after the removal grace
 * period (a catalog hiccup revokes nothing; an empty or failed read is
 * skipped). A credential another live Component uses too is flagged for
 * its owner instead of requested.
 */
export class DecommissionWatcher {
  private constructor(private readonly o: DecommissionWatcherOptions) {}

  static create(options: DecommissionWatcherOptions): DecommissionWatcher {
    return new DecommissionWatcher(options);
  }

  private async readComponents(): Promise<Entity[]> {
    const credentials = await this.o.auth.getOwnServiceCredentials();
    const entities: Entity[] = [];
    for await (const page of this.o.catalog.streamEntities(
      {
        filter: { kind: 'Component' },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'metadata.labels', 'spec.owner', 'spec.lifecycle'],
      },
      { credentials },
    )) {
      entities.push(...page);
    }
    return entities;
  }

  /** One pass over the catalog. Never throws: a failed catalog read changes nothing. */
  async run(): Promise<WatchSummary> {
    const summary: WatchSummary = { retired: 0, missing: 0, requested: 0, flagged: 0 };
    const { store, settings, logger } = this.o;
    let entities: Entity[];
    try {
      entities = await this.readComponents();
    } catch (error) {
      logger.warn(`Decommission watch skipped: the catalog could not be read (${isError(error) ? error.message : error})`);
      return summary;
    }
    if (entities.length === 0) {
      logger.warn('Decommission watch skipped: the catalog returned no Components, which looks like an outage, not a mass retirement');
      return summary;
    }
    const now = (this.o.clock ?? (() => new Date()))();
    const nowIso = now.toISOString();
    const index = ComponentIndex.fromEntities(entities);
    const retiredRefs = new Set<string>();
    const present = new Set<string>();
    const lifecycles = new Set(settings.retiredLifecycles);
    const toRetire: Array<{ ref: string; status: 'decommissioned' | 'removed'; lifecycle?: string; owner?: string }> = [];
    for (const entity of entities) {
      const ref = stringifyEntityRef(entity).toLowerCase();
      present.add(ref);
      const spec = (entity.spec ?? {}) as { lifecycle?: unknown; owner?: unknown };
      if (typeof spec.lifecycle === 'string' && lifecycles.has(spec.lifecycle)) {
        retiredRefs.add(ref);
        const owner = typeof spec.owner === 'string' ? normalizeOwnerRef(spec.owner, entity.metadata.namespace) : undefined;
        toRetire.push({ ref, status: 'decommissioned', lifecycle: spec.lifecycle, owner });
      }
    }
    const known = new Map((await store.listRetired()).map(r => [r.entityRef, r]));
    for (const [ref, row] of known) {
      // Back in the catalog and live again: no longer retired (open requests stay for a person to decide).
      if (present.has(ref) && !retiredRefs.has(ref)) await store.deleteRetired(ref);
      else if (!present.has(ref)) retiredRefs.add(ref);
      if (row.status === 'missing' && !present.has(ref) && now.getTime() - Date.parse(row.firstDetectedAt) >= settings.removalGraceMs) {
        toRetire.push({ ref, status: 'removed', owner: row.owner });
      }
    }
    for (const ref of await store.listLinkedComponents()) {
      const lower = ref.toLowerCase();
      if (present.has(lower) || known.has(lower)) continue;
      await store.upsertRetired({ entityRef: lower, status: 'missing' }, nowIso);
      retiredRefs.add(lower);
      summary.missing++;
    }
    for (const c of toRetire) {
      summary.retired++;
      await store.upsertRetired({ entityRef: c.ref, status: c.status, lifecycle: c.lifecycle, owner: c.owner, retiredAt: known.get(c.ref)?.retiredAt ?? nowIso }, nowIso);
      const r = await this.requestFor(c.ref, c.status, index, ref => retiredRefs.has(ref), nowIso);
      summary.requested += r.requested;
      summary.flagged += r.flagged;
    }
    if (summary.requested + summary.flagged + summary.missing > 0) {
      logger.info(
        `Decommission watch over ${entities.length} Components: ${summary.retired} retired, ${summary.missing} newly missing, ${summary.requested} revocations requested, ${summary.flagged} shared credentials flagged`,
      );
    }
    return summary;
  }

  private async requestFor(
    ref: string,
    status: 'decommissioned' | 'removed',
    index: ComponentIndex,
    isRetired: (ref: string) => boolean,
    nowIso: string,
  ) {
    const { store, service, notifier, settings, logger } = this.o;
    let requested = 0;
    let flagged = 0;
    for (const id of await store.listComponentIdentityIds(ref)) {
      const identity = await this.o.getIdentity(id);
      if (!identity) continue;
      // One request per identity and retired Component: a rejected or closed one is not re-opened every pass.
      if ((await store.list({ identityId: id, entityRef: ref }, { limit: 1 })).items.length > 0) continue;
      const observations = await store.getActiveObservations(id);
      const sharedWith = findSharedUsers({ identity, observations, retiredRef: ref, index, isRetired });
      try {
        if (sharedWith.length > 0) {
          const flag = { entityRef: ref, identityId: id, identityDisplayName: identity.displayName, sharedWith, owner: identity.owner, flaggedAt: nowIso };
          if (await store.upsertFlag(flag)) {
            flagged++;
            await notifier.notifyOwner(
              identity.owner,
              `Shared credential not revoked: ${identity.displayName}`,
              `${identity.displayName} belongs to retired ${ref} but ${sharedWith.join(', ')} still use it: it was not revoked. Replace it for them, then request its revocation.`,
            );
          }
          continue;
        }
        const reason =
          status === 'decommissioned'
            ? `${ref} is decommissioned in the catalog`
            : `${ref} is gone from the catalog for longer than the removal grace period`;
        const { created } = await service.open({ identityId: id, reason, requestedBy: settings.systemActor, trigger: status, entityRef: ref });
        if (created) requested++;
      } catch (error) {
        logger.warn(`Could not request revocation of ${id} for ${ref}: ${isError(error) ? error.message : error}`);
      }
    }
    return { requested, flagged };
  }
}
