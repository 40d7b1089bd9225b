import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { Identity, IdentityState, Observation } from '@keyring/plugin-machine-identity-common';
import type { EvaluatedViolation } from '../database/types';
import type { ComponentIndex } from '../ownership/ComponentIndex';
import { countDistinctAccounts } from '@keyring/plugin-machine-identity-node';
import type { PolicyContext, PolicyEngine } from './types';

const LIVE: IdentityState[] = ['active', 'pending-revocation'];

/**
 * The policy verdict on one identity as it will be stored: the engine's
 * results for a live identity minus waived rules; nothing for a gone or
 * revoked one. Pure apart from a warning when the engine throws.
 */
export class PolicyEvaluation {
  private constructor(
    private readonly engine: PolicyEngine,
    private readonly components: () => ComponentIndex,
    private readonly logger: LoggerService,
    private readonly revokedAt: (identityId: string) => string | undefined,
  ) {}

  /** Creates the evaluation; `components` returns the current Component index. */
  static create(options: {
    engine: PolicyEngine;
    components: () => ComponentIndex;
    logger: LoggerService;
    /** When the identity's revocation was verified (`any.revoked-reappeared`). */
    revokedAt?: (identityId: string) => string | undefined;
  }): PolicyEvaluation {
    return new PolicyEvaluation(options.engine, options.components, options.logger, options.revokedAt ?? (() => undefined));
  }

  /**
   * The violations to store for `identity`, or `undefined` when evaluation
   * failed (the previous violations are kept). `waived` holds
   * `identityId/ruleId` keys of unexpired waivers.
   */
  evaluate(
    identity: Identity,
    observations: Observation[],
    waived: Set<string>,
    now: Date,
    index: ComponentIndex = this.components(),
  ): EvaluatedViolation[] | undefined {
    if (!LIVE.includes(identity.state)) {
      return [];
    }
    const component = identity.component ? index.getComponent(identity.component) : undefined;
    const context: PolicyContext = {
      now,
      componentLifecycle: component?.lifecycle,
      environment: identity.publiclyTrusted ? 'public' : 'internal',
      observations,
      distinctAccounts: countDistinctAccounts(observations),
      tags: component?.tags,
      revokedAt: this.revokedAt(identity.id),
    };
    try {
      return this.engine
        .evaluate(identity, context)
        .filter(r => !waived.has(`${identity.id}/${r.ruleId}`))
        .map(r => ({ ruleId: r.ruleId, severity: r.severity, message: r.message, remediation: r.remediation }));
    } catch (error) {
      this.logger.warn(
        `Policy evaluation of identity ${identity.id} failed, keeping its previous violations: ${isError(error) ? error.message : String(error)}`,
      );
      return undefined;
    }
  }

  /** The current Component index (read once per batch). */
  componentIndex(): ComponentIndex {
    return this.components();
  }
}
