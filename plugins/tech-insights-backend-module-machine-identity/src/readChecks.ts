import type { Config } from '@backstage/config';
import type { TechInsightJsonRuleCheck } from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import { defaultMachineIdentityChecks } from './defaultChecks';

/**
 * The checks the module installs: Keyring's defaults (unless
 * `techInsights.machineIdentity.defaultChecks` is false) with the adopter's
 * `techInsights.factChecker.checks` (the JSON rules engine module's format)
 * added, a configured check replacing a default of the same id.
 */
export function readChecks(config: Config): TechInsightJsonRuleCheck[] {
  const checks = new Map<string, TechInsightJsonRuleCheck>();
  if (config.getOptionalBoolean('techInsights.machineIdentity.defaultChecks') ?? true) {
    for (const check of defaultMachineIdentityChecks) {
      checks.set(check.id, check);
    }
  }
  const configured = config.getOptionalConfig('techInsights.factChecker.checks');
  for (const id of configured?.keys() ?? []) {
    const value = configured!.getConfig(id).get() as Omit<TechInsightJsonRuleCheck, 'id'>;
    checks.set(id, { ...value, id });
  }
  return [...checks.values()];
}
