import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Reassignment } from '@keyring/plugin-machine-identity-common';
import type { AuditStore } from '../database/types';
import type { DatabaseReassignmentStore } from '../database/DatabaseReassignmentStore';
import { requireMember, requireSecondPerson } from './ReviewAuthority';
import type { ReviewCaller, ReviewIdentityWriter } from './types';

/**
 * The receiving side of a reassignment: a member of the receiving Group
 * (never the person who asked for it) accepts or rejects it. Until it is
 * accepted the identity stays with its current owner; on acceptance the
 * receiving Group becomes the owner by review decision.
 */
export class ReassignmentService {
  private constructor(
    private readonly store: DatabaseReassignmentStore,
    private readonly audit: AuditStore,
    private readonly identities: ReviewIdentityWriter,
  ) {}

  static create(options: {
    store: DatabaseReassignmentStore;
    audit: AuditStore;
    identities: ReviewIdentityWriter;
  }): ReassignmentService {
    return new ReassignmentService(options.store, options.audit, options.identities);
  }

  /** Accepts: the identity moves to the receiving Group. */
  async accept(id: string, caller: ReviewCaller, comment?: string, now: Date = new Date()): Promise<Reassignment> {
    return this.decide(id, caller, 'accepted', comment, now);
  }

  /** Rejects: the identity stays with its owner. */
  async reject(id: string, caller: ReviewCaller, comment?: string, now: Date = new Date()): Promise<Reassignment> {
    return this.decide(id, caller, 'rejected', comment, now);
  }

  /** Reassignments waiting for one of the caller's Groups. */
  async awaiting(caller: ReviewCaller, limit = 200): Promise<Reassignment[]> {
    return this.store.list({ toOwners: caller.ownershipEntityRefs, state: 'pending', limit });
  }

  list(filter: Parameters<DatabaseReassignmentStore['list']>[0]): Promise<Reassignment[]> {
    return this.store.list(filter);
  }

  private async decide(
    id: string,
    caller: ReviewCaller,
    state: 'accepted' | 'rejected',
    comment: string | undefined,
    now: Date,
  ): Promise<Reassignment> {
    const at = now.toISOString();
    const result = await this.store.transaction(async tx => {
      const current = await this.store.get(id, tx);
      if (!current) throw new NotFoundError(`No reassignment with id "${id.slice(0, 100)}"`);
      requireMember(caller, current.toOwner, `${state === 'accepted' ? 'accept' : 'reject'} a reassignment to it`);
      requireSecondPerson(caller, current.requestedBy, 'reassignment');
      if (current.state !== 'pending') {
        throw new ConflictError(`Reassignment ${id} was already ${current.state} by ${current.decidedBy}`);
      }
      if (!(await this.store.decide(tx, id, { state, decidedBy: caller.userEntityRef, decidedAt: at, comment }))) {
        throw new ConflictError(`Reassignment ${id} was decided by someone else meanwhile`);
      }
      if (state === 'accepted') {
        await this.identities.setReviewOwner(tx, current.identityId, current.toOwner);
      }
      await this.audit.append(
        [
          {
            at,
            actor: caller.userEntityRef,
            action: `reassignment-${state}`,
            identityId: current.identityId,
            campaignId: current.campaignId,
            before: { owner: current.fromOwner, reassignment: 'pending' },
            after: { owner: state === 'accepted' ? current.toOwner : current.fromOwner, reassignment: state },
            comment,
            message: `${current.toOwner} ${state} ${current.identityDisplayName ?? current.identityId} from ${current.fromOwner ?? 'no owner'}`,
          },
        ],
        tx,
      );
      return (await this.store.get(id, tx))!;
    });
    if (state === 'accepted') {
      await this.identities.reresolve([result.identityId]);
    }
    return result;
  }
}
