import { ConflictError, NotFoundError } from '@backstage/errors';
import type { Identity, WaiverRequest } from '@keyring/plugin-machine-identity-common';
import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../database/types';
import { validateWaiver } from '../policy/validateWaiver';
import type { DatabaseWaiverRequestStore } from '../database/DatabaseWaiverRequestStore';
import { requireMember, requireSecondPerson } from '../reviews/ReviewAuthority';
import type { ReviewCaller } from '../reviews/types';

/** What the owning team asks for: one rule waived for one identity until `expiresAt`. */
export interface WaiverRequestInput {
  identityId: string;
  ruleId: string;
  reason: string;
  expiresAt: string;
}

/**
 * Policy waivers as a two-person decision: a member of the identity's owning
 * Group requests one (reason and expiry required), and a second person with
 * `machine-identity.review.approve` grants or refuses it — never the
 * requester. Each step and its audit event commit in one transaction; an
 * approval re-evaluates the identity at once, so the waived violation
 * resolves without waiting for the next scan.
 */
export class WaiverService {
  private constructor(
    private readonly requests: DatabaseWaiverRequestStore,
    private readonly audit: AuditStore,
    private readonly getIdentity: (id: string) => Promise<Identity | undefined>,
    private readonly knowsRule: (id: string) => boolean,
    private readonly evaluate: (ids: string[], now: Date) => Promise<unknown>,
  ) {}

  /**
   * Creates the service; `knowsRule` is the policy engine's rule check and
   * `evaluate` re-evaluates identities (the `ViolationEvaluator`).
   */
  static create(options: {
    requests: DatabaseWaiverRequestStore;
    audit: AuditStore;
    getIdentity: (id: string) => Promise<Identity | undefined>;
    knowsRule: (id: string) => boolean;
    evaluate: (ids: string[], now: Date) => Promise<unknown>;
  }): WaiverService {
    return new WaiverService(options.requests, options.audit, options.getIdentity, options.knowsRule, options.evaluate);
  }

  /**
   * Records a request by a member of the owning Group. Throws
   * `NotFoundError` (identity), `NotAllowedError` (not a member),
   * `InputError` (rule, reason, expiry) or `ConflictError` (already requested).
   */
  async request(input: WaiverRequestInput, caller: ReviewCaller, now: Date = new Date()): Promise<WaiverRequest> {
    const identity = await this.getIdentity(input.identityId);
    if (!identity) throw new NotFoundError(`No identity with id "${input.identityId.slice(0, 100)}"`);
    requireMember(caller, identity.owner, 'request waivers for its identities');
    validateWaiver({ ...input, approver: caller.userEntityRef }, { now, knowsRule: this.knowsRule });
    const at = now.toISOString();
    const id = randomUUID();
    // Stored expiries are compared as strings: keep them in one ISO-8601 UTC form.
    const expiresAt = new Date(input.expiresAt).toISOString();
    await this.requests.transaction(async tx => {
      const open = await this.requests.openFor(tx, identity.id, input.ruleId);
      if (open) {
        throw new ConflictError(`A waiver of ${input.ruleId} for this identity is already waiting for approval (${open.id}, by ${open.requestedBy})`);
      }
      await this.requests.insert(tx, {
        id,
        identityId: identity.id,
        ruleId: input.ruleId,
        reason: input.reason.trim(),
        expiresAt,
        owner: identity.owner,
        requestedBy: caller.userEntityRef,
        requestedAt: at,
      });
      await this.audit.append(
        [
          {
            at,
            actor: caller.userEntityRef,
            action: 'waiver-requested',
            identityId: identity.id,
            after: { ruleId: input.ruleId, expiresAt, waiverRequestId: id },
            comment: input.reason.trim(),
            message: `Waiver of ${input.ruleId} until ${expiresAt} requested`,
          },
        ],
        tx,
      );
    });
    return (await this.requests.get(id))!;
  }

  /** A second person grants the waiver. */
  approve(id: string, caller: ReviewCaller, comment?: string, now: Date = new Date()): Promise<WaiverRequest> {
    return this.decide(id, caller, 'approved', comment, now);
  }

  /** A second person refuses the waiver. */
  reject(id: string, caller: ReviewCaller, comment?: string, now: Date = new Date()): Promise<WaiverRequest> {
    return this.decide(id, caller, 'rejected', comment, now);
  }

  /** Requests the caller could decide: open, asked by someone else. */
  awaiting(caller: ReviewCaller, limit = 200): Promise<WaiverRequest[]> {
    return this.requests.list({ state: 'requested', notRequestedBy: caller.userEntityRef, limit });
  }

  list(filter: Parameters<DatabaseWaiverRequestStore['list']>[0]): Promise<WaiverRequest[]> {
    return this.requests.list(filter);
  }

  private async decide(
    id: string,
    caller: ReviewCaller,
    state: 'approved' | 'rejected',
    comment: string | undefined,
    now: Date,
  ): Promise<WaiverRequest> {
    const at = now.toISOString();
    const request = await this.requests.transaction(async tx => {
      const current = await this.requests.get(id, tx);
      if (!current) throw new NotFoundError(`No waiver request with id "${id.slice(0, 100)}"`);
      if (state === 'approved') requireSecondPerson(caller, current.requestedBy, 'waiver');
      if (current.state !== 'requested') {
        throw new ConflictError(`Waiver request ${id} was already ${current.state} by ${current.decidedBy}`);
      }
      const { decided, waiverId } = await this.requests.decide(tx, current, {
        state,
        decidedBy: caller.userEntityRef,
        decidedAt: at,
        comment,
      });
      if (!decided) throw new ConflictError(`Waiver request ${id} was decided by someone else meanwhile`);
      await this.audit.append(
        [
          {
            at,
            actor: caller.userEntityRef,
            action: state === 'approved' ? 'waiver-added' : 'waiver-rejected',
            identityId: current.identityId,
            before: { waiverRequest: 'requested', requestedBy: current.requestedBy },
            after: { waiverRequest: state, ruleId: current.ruleId, expiresAt: current.expiresAt, waiverId },
            comment,
            message:
              state === 'approved'
                ? `Waived ${current.ruleId} until ${current.expiresAt}: ${current.reason} (requested by ${current.requestedBy})`
                : `Waiver of ${current.ruleId} refused (requested by ${current.requestedBy})`,
          },
        ],
        tx,
      );
      return (await this.requests.get(id, tx))!;
    });
    if (state === 'approved') await this.evaluate([request.identityId], now);
    return request;
  }
}
