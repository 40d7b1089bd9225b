import type { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import type { IdentityState } from '@keyring/plugin-machine-identity-common';
import type { EvaluatedViolation, InventoryStores } from '../database/types';
import type { ComponentIndex } from '../ownership/ComponentIndex';
import { applyEvaluations } from '../policy/applyEvaluations';
import { countDistinctAccounts } from '../policy/sshRules';
import type { PolicyContext, PolicyEngine } from '../policy/types';

const BATCH = 500;
const LIVE: IdentityState[] = ['active', 'pending-revocation'];
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Runs the policy engine over identities in batches and stores the outcome
 * as open/resolved violations, honouring unexpired waivers. Identities that
 * are gone or revoked have their violations resolved.
 */
export class ViolationEvaluator {
  private constructor(
    private readonly stores: InventoryStores,
    private readonly engine: PolicyEngine,
    private readonly components: () => ComponentIndex,
    private readonly logger: LoggerService,
  ) {}

  /** Creates the evaluator; `components` returns the current Component index. */
  static create(options: {
    stores: InventoryStores;
    engine: PolicyEngine;
    components: () => ComponentIndex;
    logger: LoggerService;
  }): ViolationEvaluator {
    return new ViolationEvaluator(options.stores, options.engine, options.components, options.logger);
  }

  /** Evaluates the given identities; returns violations opened and resolved. */
  async evaluate(ids: string[], now: Date = new Date()) {
    let opened = 0;
    let resolved = 0;
    const nowIso = now.toISOString();
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const inputs = await this.stores.identities.getEvaluationInputs(chunk);
      const waived = await this.stores.violations.getActiveWaiverKeys(chunk, nowIso);
      const index = this.components();
      const results = new Map<string, EvaluatedViolation[]>();
      for (const { identity, observations } of inputs) {
        if (!LIVE.includes(identity.state)) {
          results.set(identity.id, []);
          continue;
        }
        const component = identity.component ? index.getComponent(identity.component) : undefined;
        const context: PolicyContext = {
          now,
          componentLifecycle: component?.lifecycle,
          environment: identity.publiclyTrusted ? 'public' : 'internal',
          observations,
          distinctAccounts: countDistinctAccounts(observations),
          tags: component?.tags,
        };
        try {
          results.set(
            identity.id,
            this.engine
              .evaluate(identity, context)
              .filter(r => !waived.has(`${identity.id}/${r.ruleId}`))
              .map(r => ({ ruleId: r.ruleId, severity: r.severity, message: r.message, remediation: r.remediation })),
          );
        } catch (error) {
          this.logger.warn(
            `Policy evaluation of identity ${identity.id} failed, keeping its previous violations: ${isError(error) ? error.message : String(error)}`,
          );
        }
      }
      const outcome = await applyEvaluations(this.stores, results, nowIso);
      opened += outcome.opened;
      resolved += outcome.resolved;
    }
    return { opened, resolved };
  }

  /** Evaluates the whole inventory in batches (scheduled). */
  async evaluateAll(now: Date = new Date()) {
    const started = Date.now();
    let afterId: string | undefined;
    let total = 0;
    let opened = 0;
    let resolved = 0;
    for (;;) {
      const ids = await this.stores.identities.listIds({ afterId, limit: 1000 });
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1];
      const r = await this.evaluate(ids, now);
      total += ids.length;
      opened += r.opened;
      resolved += r.resolved;
    }
    this.logger.info(
      `Evaluated policies for ${fmt(total)} identities: ${fmt(opened)} violations opened, ${fmt(resolved)} resolved in ${((Date.now() - started) / 1000).toFixed(1)}s`,
    );
    return { total, opened, resolved };
  }
}
