import { anyRules } from './anyRules';
import { credentialRules } from './credentialRules';
import type { PolicyRule } from './PolicyRule';
import { secretRules } from './secretRules';
import { serviceAccountRules } from './serviceAccountRules';
import { tokenRules } from './tokenRules';

/**
 * The core's rules, in evaluation order: the type-agnostic `any.*` rules and
 * the rules of credential types no single platform owns (API tokens and
 * service accounts, which the Kubernetes and AWS modules both discover;
 * workload identities and stored secrets, which every cloud has). They read
 * only generic identity fields. Type-specific rules come
 * from modules (`machineIdentityPolicyRulesExtensionPoint`): `tls.*` with the
 * TLS module, `ssh.*` with the SSH module, and run before these.
 */
export const CORE_POLICY_RULES: readonly PolicyRule[] = [
  ...tokenRules,
  ...serviceAccountRules,
  ...credentialRules,
  ...secretRules,
  ...anyRules,
];

/**
 * Rule ids reserved for rules that need features arriving later (reviews,
 * decommissioning). They are accepted in `disabledRules` and
 * `rules[].id` so configuration can name them ahead of time, and are added
 * to the engine with `DefaultPolicyEngine.fromConfig(config, { extraRules })`
 * once the data they read exists:
 *
 * - `any.review-overdue` — the identity's ownership review is overdue
 *   (`identity.reviewStatus === 'overdue'`, from `machineIdentity.reviews.every`).
 * - `service-account.review` — the service account's last review is older
 *   than a quarter.
 * - `service-account.decommissioned` — the service account is active while
 *   its Component's lifecycle is `decommissioned` (`context.componentLifecycle`).
 */
export const PLANNED_RULE_IDS: readonly string[] = [
  'any.review-overdue',
  'service-account.review',
  'service-account.decommissioned',
];
