import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { Identity, RevocationRequest } from '@keyring/plugin-machine-identity-common';
import type {
  MachineIdentityRevoker,
  RevocationTarget,
  ScanSourceConfig,
} from '@keyring/plugin-machine-identity-node';
import type { RevocationNotifier } from './RevocationNotifier';
import type { RevocationService } from './RevocationService';
import type { RevocationStore } from './types';

const DUE_BATCH = 100;

/** Options of {@link RevocationExecutor.create}. */
export interface RevocationExecutorOptions {
  store: RevocationStore;
  service: RevocationService;
  revokers: MachineIdentityRevoker[];
  sources: ScanSourceConfig[];
  getIdentity: (id: string) => Promise<Identity | undefined>;
  /** Starts a re-scan of a source so verification need not wait for the schedule. */
  requestScan: (sourceId: string) => Promise<unknown>;
  notifier: RevocationNotifier;
  logger: LoggerService;
  clock?: () => Date;
}

/** Instructions of a manual task, for a person with access to the places. */
function manualInstructions(identity: Identity, target: RevocationTarget): string {
  const where = target.observations.map(o => `${o.sourceId} ${o.location}`).join('; ') || 'no place seen recently';
  return (
    `No installed revoker can revoke this ${identity.type} here. ${identity.owner ?? 'The owner'} must revoke ` +
    `${identity.displayName} (SHA-256 ${identity.fingerprintSha256}) by hand at: ${where}. ` +
    'The task closes as verified when a scan no longer sees it there.'
  );
}

/**
 * Carries out approved revocations whose grace period is over, through the
 * first revoker module that can act on the target, and expires requests
 * nobody approved in time. A revoker that throws leaves the request
 * `failed` with its message; no revoker makes it a `manual` task.
 */
export class RevocationExecutor {
  private constructor(private readonly options: RevocationExecutorOptions) {}

  static create(options: RevocationExecutorOptions): RevocationExecutor {
    return new RevocationExecutor(options);
  }

  private get now() {
    return (this.options.clock ?? (() => new Date()))();
  }

  /** One pass: expire overdue requests, execute due approvals. Never throws. */
  async processDue(): Promise<{ expired: number; executed: number }> {
    const { store, service, logger } = this.options;
    let expired = 0;
    let executed = 0;
    try {
      const now = this.now;
      for (const request of await store.listDue('requested', 'expiresAt', now.toISOString(), DUE_BATCH)) {
        if (await service.expire(request, now)) expired++;
      }
      for (const request of await store.listDue('approved', 'executeAfter', now.toISOString(), DUE_BATCH)) {
        if (await this.execute(request)) executed++;
      }
    } catch (error) {
      logger.error(`Revocation pass failed: ${isError(error) ? error.message : String(error)}`);
    }
    if (expired + executed > 0) {
      logger.info(`Revocation pass: ${executed} requests executed, ${expired} expired`);
    }
    return { expired, executed };
  }

  /** Executes one approved request; returns false if another replica claimed it first. */
  async execute(request: RevocationRequest): Promise<boolean> {
    const { store, notifier, logger } = this.options;
    const claimed = await store.transition({
      id: request.id,
      from: ['approved'],
      to: 'executing',
      patch: {},
      audit: { message: 'Execution started' },
      now: this.now.toISOString(),
    });
    if (!claimed) return false;
    const finish = async (
      state: 'executed' | 'failed' | 'manual',
      message: string,
      patch: { revokerId?: string; outcomeDetails?: Record<string, unknown>; owner?: string } = {},
    ) => {
      const at = this.now.toISOString();
      const done = await store.transition({
        id: request.id,
        from: ['executing'],
        to: state,
        patch: { ...patch, outcomeMessage: message, executedAt: state === 'executed' ? at : undefined },
        audit: { actor: patch.revokerId ? `revoker:${patch.revokerId}` : undefined, message },
        now: at,
      });
      if (done) await notifier.notify(done, message);
      return done;
    };

    const identity = await this.options.getIdentity(request.identityId);
    if (!identity) {
      await finish('failed', `Identity ${request.identityId} no longer exists in the inventory`);
      return true;
    }
    const sources = new Map(this.options.sources.map(s => [s.id, s]));
    const observations = (await store.getActiveObservations(identity.id)).map(o => ({ ...o, source: sources.get(o.sourceId) }));
    const target: RevocationTarget = { requestId: request.id, reason: request.reason, identity, observations };
    const revoker = this.options.revokers.find(r => r.canRevoke(target));
    if (!revoker) {
      await finish('manual', manualInstructions(identity, target), { owner: identity.owner ?? request.owner });
      return true;
    }
    const log = logger.child({ revocationId: request.id, revoker: revoker.id });
    try {
      const outcome = await revoker.revoke(target, { logger: log, signal: AbortSignal.timeout(5 * 60_000) });
      if (outcome.outcome === 'manual') {
        await finish('manual', outcome.message, { revokerId: revoker.id, outcomeDetails: outcome.details, owner: identity.owner ?? request.owner });
        return true;
      }
      await finish('executed', outcome.message, { revokerId: revoker.id, outcomeDetails: outcome.details });
      log.info(`Revoked ${identity.displayName} through ${revoker.id}: ${outcome.message}`);
    } catch (error) {
      const reason = isError(error) ? error.message : String(error);
      log.warn(`Revoker ${revoker.id} failed for ${identity.displayName}: ${reason}`);
      await finish('failed', `Revoker ${revoker.id} failed, nothing was changed: ${reason}`, { revokerId: revoker.id });
      return true;
    }
    for (const sourceId of new Set(request.places.map(p => p.sourceId))) {
      try {
        await this.options.requestScan(sourceId);
      } catch (error) {
        log.warn(`Could not start a verification scan of ${sourceId}, waiting for its schedule: ${error}`);
      }
    }
    return true;
  }
}
