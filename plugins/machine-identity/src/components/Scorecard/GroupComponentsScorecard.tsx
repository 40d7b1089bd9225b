import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress, ResponseErrorPanel, Table, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { TechInsightsMissing } from './EntityMachineIdentityScorecardCard';
import { TechInsightsUnavailableError } from './TechInsightsChecksClient';
import { type RankedEntity, rankWorstFirst, toScorecardRows } from './scorecardModel';
import { useChecksClient } from './useScorecard';

const columns: TableColumn<RankedEntity>[] = [
  { title: 'Component', field: 'title', render: row => <EntityRefLink entityRef={row.entityRef} title={row.title} /> },
  { title: 'Failed', field: 'failed', type: 'numeric', width: '10%' },
  {
    title: 'Failing checks',
    render: row => row.rows.filter(r => r.status === 'fail').map(r => r.name).join(', ') || '—',
  },
  { title: 'No result', field: 'unknown', type: 'numeric', width: '10%' },
];

/** The Group's Components with their scorecards, worst first (most failed checks on top). */
export function GroupComponentsScorecard() {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const client = useChecksClient();
  const groupRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Component', 'relations.ownedBy': groupRef },
      fields: ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'],
    });
    const checks = await client.getChecks();
    const refs = items.map(e => stringifyEntityRef(e));
    const results = await client.runBulkChecks(refs, checks.map(c => c.id));
    return rankWorstFirst(
      items.map((e, i) => {
        const rows = toScorecardRows(checks, results.get(refs[i]) ?? []);
        return {
          entityRef: refs[i],
          title: e.metadata.title ?? e.metadata.name,
          rows,
          failed: rows.filter(r => r.status === 'fail').length,
          unknown: rows.filter(r => r.status === 'unknown').length,
        };
      }),
    );
  }, [catalogApi, client, groupRef]);

  if (loading) return <Progress />;
  if (error instanceof TechInsightsUnavailableError) {
    return (
      <InfoCard title="Components, worst first">
        <TechInsightsMissing reason="Tech Insights is not available." />
      </InfoCard>
    );
  }
  if (error) return <ResponseErrorPanel error={error} />;
  return (
    <Table<RankedEntity>
      title="Components, worst first"
      options={{ paging: (value?.length ?? 0) > 20, pageSize: 20, search: false, sorting: false }}
      columns={columns}
      data={value ?? []}
      emptyContent={<TechInsightsMissing reason="This Group owns no Components." />}
    />
  );
}
