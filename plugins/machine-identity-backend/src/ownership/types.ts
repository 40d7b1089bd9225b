import type { IdentityType, OwnershipRule } from '@keyring/plugin-machine-identity-common';
import type { IdentityLinks, OwnerHint } from '@keyring/plugin-machine-identity-node';
import type { SshLogin } from './ComponentIndex';

/** Who owns an identity and which rule decided it. */
export interface OwnershipDecision {
  owner?: string;
  component?: string;
  rule: OwnershipRule;
  /** Human explanation, e.g. `keyring.io/hostnames *.payments.example.test on component:default/payments-api`. */
  via: string;
}

/** What ownership resolution reads from an identity. */
export interface OwnershipInput {
  type: IdentityType;
  ownerHint?: OwnerHint;
  links?: IdentityLinks;
  /** Host and account of each SSH sighting, kept together (see `ComponentIndex`). */
  sshLogins?: SshLogin[];
  reviewOwner?: string;
  reviewComponent?: string;
}

/** Resolves ownership of one identity; pure and fast (runs per row in batches). */
export type OwnershipResolveFn = (input: OwnershipInput) => OwnershipDecision;
