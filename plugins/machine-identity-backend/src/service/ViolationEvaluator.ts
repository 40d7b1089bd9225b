import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EvaluatedViolation, InventoryStores } from '../database/types';
import { applyEvaluations } from '../policy/applyEvaluations';
import type { PolicyEvaluation } from '../policy/PolicyEvaluation';

const BATCH = 500;
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Re-evaluates stored identities in batches and stores the outcome as
 * open/resolved violations, honouring unexpired waivers: the hourly pass for
 * clock-driven rules (expiry), and identities whose ownership or waivers
 * changed. Scans evaluate inside their own write (see `writeDiscoveries`).
 */
export class ViolationEvaluator {
  private constructor(
    private readonly stores: InventoryStores,
    private readonly policy: PolicyEvaluation,
    private readonly logger: LoggerService,
  ) {}

  /** Creates the evaluator over the stores and the policy verdict shared with scans. */
  static create(options: { stores: InventoryStores; policy: PolicyEvaluation; logger: LoggerService }): ViolationEvaluator {
    return new ViolationEvaluator(options.stores, options.policy, options.logger);
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
      const index = this.policy.componentIndex();
      const results = new Map<string, EvaluatedViolation[]>();
      for (const { identity, observations } of inputs) {
        const verdict = this.policy.evaluate(identity, observations, waived, now, index);
        if (verdict) {
          results.set(identity.id, verdict);
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
