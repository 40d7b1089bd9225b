import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import type { AccountScan } from './AccountScan';

/** Managed policies that grant administrator-level access by name. */
const ADMIN_POLICY_NAMES = new Set(['AdministratorAccess']);
/** Actions that make a statement administrator-level. */
const ADMIN_ACTIONS = new Map([
  ['*', '*'],
  ['*:*', '*:*'],
  ['iam:*', 'iam:*'],
]);

/** Decodes a policy document as IAM serves it (URL-encoded JSON). */
export function decodePolicyDocument(encoded: string): unknown {
  let text = encoded;
  if (!text.trimStart().startsWith('{')) text = decodeURIComponent(text);
  return JSON.parse(text);
}

/**
 * The administrator-level action a policy document allows (`*`, `*:*` or
 * `iam:*` in an `Allow` statement), or `undefined`.
 */
export function adminActionOf(document: unknown): string | undefined {
  const statements = (document as { Statement?: unknown })?.Statement;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    const s = statement as { Effect?: string; Action?: unknown } | undefined;
    if (s?.Effect !== 'Allow') continue;
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    for (const action of actions) {
      const admin = typeof action === 'string' ? ADMIN_ACTIONS.get(action.toLowerCase()) : undefined;
      if (admin) return admin;
    }
  }
  return undefined;
}

/**
 * Judges an inline policy as `Get{User,Role,Group}Policy` answered it: the
 * administrator-level action it allows (`admin`), or `known: false` when
 * the call failed (already recorded) or its answer had no readable document
 * (recorded here, naming `what`, never the document).
 */
export function judgeInlinePolicy(
  scan: AccountScan,
  family: string,
  location: string,
  what: string,
  answer: { PolicyDocument?: string } | undefined,
): { known: boolean; admin?: string } {
  if (!answer) return { known: false };
  if (!answer.PolicyDocument) {
    scan.missing(family, location, what, 'a policy document');
    return { known: false };
  }
  try {
    return { known: true, admin: adminActionOf(decodePolicyDocument(answer.PolicyDocument)) };
  } catch {
    scan.fail(family, location, `${what} answered with a malformed policy document`);
    return { known: false };
  }
}

/** A managed policy's name and, when administrator-level, why. */
export interface ManagedPolicyVerdict {
  name: string;
  privilegedReason?: string;
}

/**
 * Judges managed policies once per scan (GetPolicy + GetPolicyVersion of
 * the default version), so a policy attached to 10,000 users costs two calls.
 */
export class ManagedPolicyJudge {
  private readonly verdicts = new Map<string, Promise<ManagedPolicyVerdict | undefined>>();

  constructor(private readonly scan: AccountScan) {}

  /** `who` (`user bob`) names the identity the policy is read for in a problem. */
  judge(arn: string, family: string, who: string): Promise<ManagedPolicyVerdict | undefined> {
    let verdict = this.verdicts.get(arn);
    if (!verdict) {
      verdict = this.read(arn, family, who);
      this.verdicts.set(arn, verdict);
    }
    return verdict;
  }

  private async read(arn: string, family: string, who: string): Promise<ManagedPolicyVerdict | undefined> {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    if (ADMIN_POLICY_NAMES.has(name) && arn.startsWith('arn:aws:iam::aws:policy/')) {
      return { name, privilegedReason: `attached policy ${name}` };
    }
    const { iam } = this.scan.clients;
    const location = this.scan.location('iam', 'policies', name);
    const policy = await this.scan.call(family, location, `GetPolicy ${arn}`, () =>
      iam.send(new GetPolicyCommand({ PolicyArn: arn })),
    );
    const versionId = policy?.Policy?.DefaultVersionId;
    if (!versionId) {
      if (policy) this.scan.missing(family, location, `GetPolicy ${arn} for ${who}`, 'a DefaultVersionId');
      this.verdicts.delete(arn);
      return undefined;
    }
    const version = await this.scan.call(family, location, `GetPolicyVersion ${arn}`, () =>
      iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
    );
    const document = version?.PolicyVersion?.Document;
    if (!document) {
      if (version) this.scan.missing(family, location, `GetPolicyVersion ${arn} ${versionId} for ${who}`, 'a policy document');
      this.verdicts.delete(arn);
      return undefined;
    }
    try {
      const admin = adminActionOf(decodePolicyDocument(document));
      return { name, privilegedReason: admin ? `attached policy ${name} allows ${admin}` : undefined };
    } catch {
      this.scan.fail(family, location, `Policy ${arn} (read for ${who}) has a malformed document`);
      this.verdicts.delete(arn);
      return undefined;
    }
  }
}
