import { discoveryApiRef, fetchApiRef, useApi } from '@backstage/core-plugin-api';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { TechInsightsChecksClient } from './TechInsightsChecksClient';
import { type ScorecardRow, toScorecardRows } from './scorecardModel';

/** The Tech Insights check client built from the app's discovery and fetch APIs. */
export function useChecksClient(): TechInsightsChecksClient {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useMemo(() => new TechInsightsChecksClient({ discoveryApi, fetchApi }), [discoveryApi, fetchApi]);
}

/** Keyring's scorecard of one entity, read from Tech Insights. */
export function useScorecard(entityRef: string) {
  const client = useChecksClient();
  return useAsync(async (): Promise<ScorecardRow[]> => {
    const checks = await client.getChecks();
    if (checks.length === 0) return [];
    const results = await client.runChecks(entityRef, checks.map(c => c.id));
    return toScorecardRows(checks, results);
  }, [client, entityRef]);
}
