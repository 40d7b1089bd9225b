import { randomUUID } from 'node:crypto';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type {
  Identity,
  RevocationRequest,
  RevocationTrigger,
} from '@keyring/plugin-machine-identity-common';
import { placeOf } from './placeOf';
import type { RevocationNotifier } from './RevocationNotifier';
import { assertTransition } from './revocationStates';
import type { RevocationSettings } from './readRevocationConfig';
import type { IdentityAccessFilter } from '../database/types';
import type { RevocationFilter, RevocationStore } from './types';

/** What starts a revocation request. */
export interface RevocationRequestInput {
  identityId: string;
  reason: string;
  /** User or service ref of the requester (`plugin:machine-identity` for automatic triggers). */
  requestedBy: string;
  /** Default: `review` when `campaignId` is set, else `manual`. */
  trigger?: RevocationTrigger;
  entityRef?: string;
  campaignId?: string;
}

/** The part of the service other features call (a review's `revoke` decision). */
export interface RevocationRequester {
  request(input: RevocationRequestInput): Promise<RevocationRequest>;
}

const LIVE = ['active', 'pending-revocation'];
const MAX_TEXT = 2000;

/**
 * The revocation workflow's decisions: requesting, approving (by a second
 * person), rejecting. Execution and verification live in
 * {@link RevocationExecutor} and {@link RevocationVerifier}.
 */
export class RevocationService implements RevocationRequester {
  private constructor(
    private readonly store: RevocationStore,
    private readonly getIdentity: (id: string) => Promise<Identity | undefined>,
    private readonly notifier: RevocationNotifier,
    private readonly settings: RevocationSettings,
    private readonly clock: () => Date,
  ) {}

  static create(options: {
    store: RevocationStore;
    getIdentity: (id: string) => Promise<Identity | undefined>;
    notifier: RevocationNotifier;
    settings: RevocationSettings;
    clock?: () => Date;
  }): RevocationService {
    return new RevocationService(options.store, options.getIdentity, options.notifier, options.settings, options.clock ?? (() => new Date()));
  }

  /** Opens a request; a ConflictError names the identity's open request if there is one. */
  async request(input: RevocationRequestInput): Promise<RevocationRequest> {
    const { request, created } = await this.open(input);
    if (!created) {
      throw new ConflictError(`Identity ${input.identityId} already has an open revocation request ${request.id} (${request.state})`);
    }
    return request;
  }

  /** Opens a request or returns the identity's open one (automatic triggers call this repeatedly). */
  async open(input: RevocationRequestInput): Promise<{ request: RevocationRequest; created: boolean }> {
    const reason = input.reason?.trim();
    if (!reason) throw new InputError('A revocation needs a reason');
    if (reason.length > MAX_TEXT) throw new InputError(`The reason is longer than ${MAX_TEXT} characters`);
    const identity = await this.getIdentity(input.identityId);
    if (!identity) throw new NotFoundError(`No identity with id "${input.identityId.slice(0, 100)}"`);
    if (!LIVE.includes(identity.state)) {
      throw new ConflictError(`Identity ${identity.id} is ${identity.state}: there is no live credential to revoke`);
    }
    const now = this.clock();
    const places = (await this.store.getActiveObservations(identity.id)).map(placeOf);
    const trigger = input.trigger ?? (input.campaignId ? 'review' : 'manual');
    const result = await this.store.create(
      {
        id: randomUUID(),
        identityId: identity.id,
        trigger,
        reason,
        entityRef: input.entityRef ?? identity.component,
        owner: identity.owner,
        campaignId: input.campaignId,
        requestedBy: input.requestedBy,
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + this.settings.approvalTimeoutMs).toISOString(),
        places,
      },
      {
        actor: input.requestedBy,
        message: `Revocation requested (${trigger}) for ${places.length} place(s): ${reason}`,
      },
    );
    if (result.created) {
      await this.notifier.notify(result.request, `${input.requestedBy} asks to revoke ${identity.displayName}: ${reason}. A second person must approve.`);
    }
    return result;
  }

  async get(id: string): Promise<RevocationRequest> {
    const request = await this.store.get(id);
    if (!request) throw new NotFoundError(`No revocation request with id "${id.slice(0, 100)}"`);
    return request;
  }

  /** A request if it exists and its identity meets `access` (the caller's policy conditions). */
  find(id: string, access?: IdentityAccessFilter): Promise<RevocationRequest | undefined> {
    return this.store.get(id, access);
  }

  list(filter: RevocationFilter, options: { cursor?: string; limit: number }) {
    return this.store.list(filter, options);
  }

  /** Approves as `approver` (a user ref); the requester cannot approve their own request. */
  async approve(id: string, approver: string, comment?: string): Promise<RevocationRequest> {
    const request = await this.get(id);
    assertTransition(id, request.state, 'approved');
    if (request.requestedBy.toLowerCase() === approver.toLowerCase()) {
      throw new NotAllowedError(
        `${approver} requested revocation ${id}; separation of duties requires a second person to approve it`,
      );
    }
    const now = this.clock();
    if (request.expiresAt && request.expiresAt <= now.toISOString()) {
      await this.expire(request, now);
      throw new ConflictError(`Revocation request ${id} expired at ${request.expiresAt} before it was approved`);
    }
    const executeAfter = new Date(now.getTime() + this.settings.executionGraceMs).toISOString();
    const text = comment?.trim().slice(0, MAX_TEXT) || undefined;
    const approved = await this.store.transition({
      id,
      from: ['requested'],
      to: 'approved',
      patch: { decidedBy: approver, decidedAt: now.toISOString(), decisionComment: text, executeAfter },
      audit: { actor: approver, message: `Revocation approved; executes after ${executeAfter}${text ? `: ${text}` : ''}` },
      now: now.toISOString(),
    });
    if (!approved) throw new ConflictError(`Revocation request ${id} changed state while it was being approved`);
    await this.notifier.notify(approved, `${approver} approved the revocation; it runs after ${executeAfter}.`);
    return approved;
  }

  /** Rejects with a mandatory comment. */
  async reject(id: string, actor: string, comment: string): Promise<RevocationRequest> {
    const text = comment?.trim();
    if (!text) throw new InputError('Rejecting a revocation needs a comment');
    const request = await this.get(id);
    assertTransition(id, request.state, 'rejected');
    const now = this.clock().toISOString();
    const rejected = await this.store.transition({
      id,
      from: ['requested'],
      to: 'rejected',
      patch: { decidedBy: actor, decidedAt: now, decisionComment: text.slice(0, MAX_TEXT) },
      audit: { actor, message: `Revocation rejected: ${text.slice(0, MAX_TEXT)}` },
      now,
    });
    if (!rejected) throw new ConflictError(`Revocation request ${id} changed state while it was being rejected`);
    await this.notifier.notify(rejected, `${actor} rejected the revocation: ${text}`);
    return rejected;
  }

  /** Expires a request not approved in time. */
  async expire(request: RevocationRequest, now: Date = this.clock()): Promise<boolean> {
    const expired = await this.store.transition({
      id: request.id,
      from: ['requested'],
      to: 'expired',
      patch: {},
      audit: { message: `Not approved by ${request.expiresAt}; the request expired` },
      now: now.toISOString(),
    });
    if (expired) await this.notifier.notify(expired, 'Nobody approved the revocation in time; it expired and nothing was revoked.');
    return !!expired;
  }
}
