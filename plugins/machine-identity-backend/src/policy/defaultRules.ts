import { anyRules } from './anyRules';
import { credentialRules } from './credentialRules';
import type { PolicyRule } from './PolicyRule';
import { secretRules } from './secretRules';
import { serviceAccountRules } from './serviceAccountRules';
import { sshRules } from './sshRules';
import { tlsRules } from './tlsRules';
import { tokenRules } from './tokenRules';

/** Every built-in rule, in evaluation order. */
export const DEFAULT_POLICY_RULES: readonly PolicyRule[] = [
  ...tlsRules,
  ...sshRules,
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
 * to the engine with `DefaultPolicyEngine.fromConfig(config, { rules })`
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
