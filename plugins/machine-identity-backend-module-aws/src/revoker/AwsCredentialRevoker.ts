import {
  DeleteAccessKeyCommand,
  DetachRolePolicyCommand,
  paginateListAccessKeys,
  paginateListAttachedRolePolicies,
  paginateListUserTags,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import type { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  MachineIdentityRevoker,
  RevocationOutcome,
  RevocationTarget,
  RevokerContext,
} from '@keyring/plugin-machine-identity-node';
import { createAwsClients, type AwsClients } from '../scanning/createAwsClients';
import { readAwsAccounts } from '../scanning/readAwsAccounts';
import { readHoldingPeriodMs } from './readHoldingPeriodMs';

/** User tag recording when Keyring deactivated one of the user's access keys: `keyring.io/deactivated/<AccessKeyId>` = ISO time. */
export const DEACTIVATED_TAG_PREFIX = 'keyring.io/deactivated/';

const DAY_MS = 86_400_000;

/** Where a target lives in AWS, from its observation. */
interface AwsPlace {
  clients: AwsClients;
  accountId: string;
}

/**
 * Revokes AWS credentials found by the `aws-iam` scanner. An access key is
 * deactivated (`UpdateAccessKey Inactive`) and the time recorded in a user
 * tag; once the holding period has passed (on a later execution or by the
 * module's deletion sweep) it is deleted. A role has its managed policies
 * detached. Nothing is changed when the credential cannot be found.
 */
export class AwsCredentialRevoker implements MachineIdentityRevoker {
  readonly id = 'aws-iam';

  private constructor(
    readonly holdingPeriodMs: number,
    private readonly now: () => Date,
  ) {}

  /** Reads `machineIdentity.aws.revocation.holdingPeriod` (default 7 days). */
  static fromConfig(config: Config, options: { now?: () => Date } = {}): AwsCredentialRevoker {
    return new AwsCredentialRevoker(readHoldingPeriodMs(config), options.now ?? (() => new Date()));
  }

  /** A revoker with an explicit holding period and clock (tests). */
  static create(options: { holdingPeriodMs: number; now?: () => Date }): AwsCredentialRevoker {
    return new AwsCredentialRevoker(options.holdingPeriodMs, options.now ?? (() => new Date()));
  }

  canRevoke(target: RevocationTarget): boolean {
    const extra = target.identity.extra ?? {};
    const onAws = target.observations.some(o => o.source?.type === 'aws-iam');
    if (!onAws) return false;
    if (target.identity.type === 'api-token') return typeof extra.accessKeyId === 'string' && typeof extra.userName === 'string';
    return target.identity.type === 'workload-identity' && typeof extra.name === 'string';
  }

  async revoke(target: RevocationTarget, context: RevokerContext): Promise<RevocationOutcome> {
    const place = this.placeOf(target);
    try {
      const extra = target.identity.extra ?? {};
      if (target.identity.type === 'api-token') {
        return await this.revokeAccessKey(place, String(extra.userName), String(extra.accessKeyId), context);
      }
      return await this.detachRolePolicies(place, String(extra.name), context);
    } finally {
      place.clients.destroy();
    }
  }

  /**
   * Deletes the access key if it was deactivated by Keyring at least a holding
   * period ago; otherwise deactivates it and records when. Returns what it did.
   */
  async revokeAccessKey(place: AwsPlace, userName: string, accessKeyId: string, context?: RevokerContext): Promise<RevocationOutcome> {
    const { iam } = place.clients;
    const keys = [];
    for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) keys.push(...(page.AccessKeyMetadata ?? []));
    const key = keys.find(k => k.AccessKeyId === accessKeyId);
    const tagKey = `${DEACTIVATED_TAG_PREFIX}${accessKeyId}`;
    const tags = [];
    for await (const page of paginateListUserTags({ client: iam }, { UserName: userName })) tags.push(...(page.Tags ?? []));
    const marked = tags.find(t => t.Key === tagKey)?.Value;
    if (!key) {
      if (marked) await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [tagKey] }));
      return { outcome: 'executed', message: `Access key ${accessKeyId} of IAM user ${userName} is already deleted`, details: { accessKeyId, userName, deleted: true } };
    }
    const now = this.now();
    const since = marked ? Date.parse(marked) : NaN;
    if (this.holdingPeriodMs <= 0) {
      // No holding period: deactivate and delete in one execution.
      if (key.Status !== 'Inactive') {
        await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
      }
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
      if (marked) await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [tagKey] }));
      context?.logger.info(`Deactivated and deleted access key ${accessKeyId} of IAM user ${userName} (no holding period)`);
      return { outcome: 'executed', message: `Deactivated and deleted access key ${accessKeyId} of IAM user ${userName}`, details: { accessKeyId, userName, deleted: true } };
    }
    if (key.Status === 'Inactive' && !Number.isNaN(since) && now.getTime() - since >= this.holdingPeriodMs) {
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
      await iam.send(new UntagUserCommand({ UserName: userName, TagKeys: [tagKey] }));
      context?.logger.info(`Deleted access key ${accessKeyId} of IAM user ${userName} (deactivated ${marked})`);
      return { outcome: 'executed', message: `Deleted access key ${accessKeyId} of IAM user ${userName}, inactive since ${marked}`, details: { accessKeyId, userName, deleted: true } };
    }
    if (key.Status !== 'Inactive') {
      await iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    }
    const deactivatedAt = Number.isNaN(since) ? now.toISOString() : marked!;
    if (Number.isNaN(since)) {
      await iam.send(new TagUserCommand({ UserName: userName, Tags: [{ Key: tagKey, Value: deactivatedAt }] }));
    }
    const deleteAfter = new Date(Date.parse(deactivatedAt) + this.holdingPeriodMs).toISOString();
    context?.logger.info(`Deactivated access key ${accessKeyId} of IAM user ${userName}; deletion due after ${deleteAfter}`);
    return {
      outcome: 'executed',
      message: `Deactivated access key ${accessKeyId} of IAM user ${userName}; it is deleted after the ${Math.round(this.holdingPeriodMs / DAY_MS)}-day holding period (${deleteAfter})`,
      details: { accessKeyId, userName, deactivatedAt, deleteAfter },
    };
  }

  private async detachRolePolicies(place: AwsPlace, roleName: string, context: RevokerContext): Promise<RevocationOutcome> {
    const { iam } = place.clients;
    const arns: string[] = [];
    for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
    }
    for (const arn of arns) {
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    }
    context.logger.info(`Detached ${arns.length} managed policies from IAM role ${roleName}`);
    return {
      outcome: 'executed',
      message: `Detached ${arns.length} managed ${arns.length === 1 ? 'policy' : 'policies'} from IAM role ${roleName} (the role and its inline policies remain)`,
      details: { roleName, detachedPolicyArns: arns },
    };
  }

  /** The account clients for the target's AWS observation. */
  placeOf(target: RevocationTarget): AwsPlace {
    const observation = target.observations.find(o => o.source?.type === 'aws-iam');
    if (!observation?.source) throw new InputError(`Identity ${target.identity.id} has no observation from an aws-iam source`);
    const accountId = String(target.identity.extra?.accountId ?? observation.details?.accountId ?? '');
    const account = readAwsAccounts(observation.source.config, observation.source.id).find(a => a.accountId === accountId);
    if (!account) throw new NotFoundError(`Source ${observation.source.id} has no account ${accountId}`);
    return { clients: createAwsClients(account), accountId };
  }
}
