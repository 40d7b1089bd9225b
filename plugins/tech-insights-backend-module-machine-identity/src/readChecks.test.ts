import { ConfigReader } from '@backstage/config';
import { readChecks } from './readChecks';

const custom = {
  type: 'json-rules-engine',
  name: 'Few tokens',
  description: 'At most 3 API tokens',
  factIds: ['machineIdentityFactRetriever'],
  rule: { conditions: { all: [{ fact: 'apiTokens', operator: 'lessThanInclusive', value: 3 }] } },
};

describe('readChecks', () => {
  it('installs the seven defaults when nothing is configured', () => {
    expect(readChecks(new ConfigReader({})).map(c => c.id)).toEqual([
      'machine-identity-no-expired',
      'machine-identity-none-expiring-7-days',
      'machine-identity-no-error-violations',
      'machine-identity-no-orphans',
      'machine-identity-review-this-quarter',
      'machine-identity-automated-80',
      'machine-identity-no-overdue-revocations',
    ]);
  });

  it('adds configured checks and lets one replace a default of the same id', () => {
    const checks = readChecks(
      new ConfigReader({
        techInsights: {
          factChecker: {
            checks: {
              'few-tokens': custom,
              'machine-identity-automated-80': { ...custom, name: 'Stricter automation' },
            },
          },
        },
      }),
    );
    expect(checks).toHaveLength(8);
    expect(checks.find(c => c.id === 'few-tokens')).toEqual({ ...custom, id: 'few-tokens' });
    expect(checks.find(c => c.id === 'machine-identity-automated-80')?.name).toBe('Stricter automation');
  });

  it('drops the defaults when techInsights.machineIdentity.defaultChecks is false', () => {
    const checks = readChecks(
      new ConfigReader({
        techInsights: { machineIdentity: { defaultChecks: false }, factChecker: { checks: { 'few-tokens': custom } } },
      }),
    );
    expect(checks.map(c => c.id)).toEqual(['few-tokens']);
  });
});
