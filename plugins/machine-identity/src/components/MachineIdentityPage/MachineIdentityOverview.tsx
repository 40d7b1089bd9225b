import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  IDENTITY_STATES,
  IDENTITY_TYPES,
} from '@keyring/plugin-machine-identity-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  MachineIdentitySummary,
  machineIdentityApiRef,
} from '../../api/MachineIdentityApi';
import { filterLink } from '../IdentityTable/filters';
import { IdentityTypeIcon } from '../shared/IdentityTypeIcon';
import {
  MANAGEMENT_LABELS,
  STATE_LABELS,
  TYPE_LABELS,
  labelOf,
} from '../shared/labels';
import { BreakdownBars } from './BreakdownBars';
import { ExpiryTimeline } from './ExpiryTimeline';
import { ScanSourcesTable } from './ScanSourcesTable';
import { StatTile } from './StatTile';
import { TopViolatedRules } from './TopViolatedRules';

function ordered(record: Record<string, number>, order: readonly string[]) {
  const keys = [...order, ...Object.keys(record).filter(k => !order.includes(k))];
  return keys.filter(k => (record[k] ?? 0) > 0 || order.includes(k));
}

function Dashboard(props: { summary: MachineIdentitySummary }) {
  const { summary } = props;
  const n = (value: number) => value.toLocaleString('en-US');
  const active = summary.byState.active ?? 0;
  return (
    <Grid container spacing={3} data-testid="machine-identity-overview">
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile label="Identities" value={n(summary.total)} to="?" testId="stat-total" />
      </Grid>
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile label="Active" value={n(active)} to={filterLink({ state: 'active' })} testId="stat-active" />
      </Grid>
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile
          label="Violating policy"
          value={n(summary.violating)}
          to={filterLink({ violating: true })}
          tone={summary.violating ? 'error' : undefined}
          testId="stat-violating"
        />
      </Grid>
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile
          label="Expired"
          value={n(summary.expiring.expired)}
          to={filterLink({ state: 'active', expiresWithinDays: 0 })}
          tone={summary.expiring.expired ? 'error' : undefined}
          testId="stat-expired"
        />
      </Grid>
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile
          label="Expire within 30 days"
          value={n(summary.expiring.within30Days)}
          to={filterLink({ state: 'active', expiresWithinDays: 30 })}
          tone={summary.expiring.within30Days ? 'warning' : undefined}
          testId="stat-expiring-30"
        />
      </Grid>
      <Grid item xs={6} sm={4} lg={2}>
        <StatTile
          label="Rotation automated"
          value={`${Math.round(summary.managedShare * 100)} %`}
          testId="stat-managed-share"
        />
      </Grid>

      <Grid item xs={12} md={8}>
        <InfoCard title="Expiring in the next 90 days" subheader="Active identities by time left; click a bar for the list">
          <ExpiryTimeline expiring={summary.expiring} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="By type">
          <BreakdownBars
            testId="breakdown-type"
            total={summary.total}
            items={ordered(summary.byType, IDENTITY_TYPES).map(type => ({
              key: type,
              label: labelOf(TYPE_LABELS, type),
              icon: <IdentityTypeIcon type={type} />,
              count: summary.byType[type] ?? 0,
              to: filterLink({ type: type as any }),
            }))}
          />
        </InfoCard>
      </Grid>

      <Grid item xs={12} sm={6} lg={4}>
        <InfoCard title="By state">
          <BreakdownBars
            testId="breakdown-state"
            total={summary.total}
            items={ordered(summary.byState, IDENTITY_STATES).map(state => ({
              key: state,
              label: labelOf(STATE_LABELS, state),
              count: summary.byState[state] ?? 0,
              to: filterLink({ state: state as any }),
            }))}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} sm={6} lg={4}>
        <InfoCard title="Ownership and management">
          <BreakdownBars
            testId="breakdown-ownership"
            total={summary.owned + summary.orphaned}
            items={[
              { key: 'owned', label: 'Owned by a team', count: summary.owned },
              { key: 'orphaned', label: 'Orphaned (fallback owner)', count: summary.orphaned },
            ]}
          />
          <Typography variant="subtitle2" gutterBottom>
            Rotation
          </Typography>
          <BreakdownBars
            testId="breakdown-management"
            total={Object.values(summary.byManagement).reduce((a, b) => a + b, 0)}
            items={ordered(summary.byManagement, ['automated', 'manual', 'unmanaged']).map(m => ({
              key: m,
              label: labelOf(MANAGEMENT_LABELS, m),
              count: summary.byManagement[m] ?? 0,
            }))}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} lg={4}>
        <InfoCard title="Top violated rules">
          <TopViolatedRules summary={summary} />
        </InfoCard>
      </Grid>

      <Grid item xs={12}>
        <InfoCard title="Scan sources" subheader="Last run and health of each configured source">
          <ScanSourcesTable />
        </InfoCard>
      </Grid>
    </Grid>
  );
}

/** The inventory dashboard: totals, breakdowns, expiry timeline, rules, sources. */
export function MachineIdentityOverview() {
  const api = useApi(machineIdentityApiRef);
  const { value, loading, error } = useAsync(() => api.getSummary(), [api]);
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return value ? <Dashboard summary={value} /> : null;
}
