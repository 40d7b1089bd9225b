import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { ExpiryLabel } from '../shared/ExpiryLabel';
import { IdentityTypeIcon } from '../shared/IdentityTypeIcon';
import { TYPE_LABELS, labelOf } from '../shared/labels';
import { summarizeIdentities } from './summarizeIdentities';

const PAGE_SIZE = 200;
const MAX_PAGES = 5;

function Stat(props: {
  label: string;
  value: number | string;
  tone?: 'error' | 'warning';
  testId: string;
}) {
  return (
    <Box textAlign="center" data-testid={props.testId}>
      <Typography
        variant="h4"
        component="p"
        color={props.tone === 'error' ? 'error' : 'textPrimary'}
        style={
          props.tone === 'warning' ? { color: '#f57c00' } : undefined
        }
      >
        {props.value}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
    </Box>
  );
}

/**
 * A compact card for a Component's overview: how many active credentials it
 * has, how many violate policy or expire soon, and which expires next.
 *
 * @public
 */
export function EntityMachineIdentityOverviewCard() {
  const { entity } = useEntity();
  const api = useApi(machineIdentityApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error } = useAsync(async () => {
    const items: Identity[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await api.listIdentities({
        entityRef,
        state: 'active',
        cursor,
        limit: PAGE_SIZE,
      });
      items.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return summarizeIdentities(items, !!cursor);
  }, [api, entityRef]);

  let content;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || value.total === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No machine identities"
        description="No active certificate, key, token or service account is linked to this entity."
      />
    );
  } else {
    const total = `${value.total}${value.truncated ? '+' : ''}`;
    content = (
      <>
        <Grid container spacing={2}>
          <Grid item xs={3}>
            <Stat label="Active" value={total} testId="card-total" />
          </Grid>
          <Grid item xs={3}>
            <Stat
              label="Violating"
              value={value.violating}
              tone={value.violating ? 'error' : undefined}
              testId="card-violating"
            />
          </Grid>
          <Grid item xs={3}>
            <Stat
              label="Expired / ≤ 7 days"
              value={value.expired + value.critical}
              tone={value.expired + value.critical ? 'error' : undefined}
              testId="card-critical"
            />
          </Grid>
          <Grid item xs={3}>
            <Stat
              label="≤ 30 days"
              value={value.warning}
              tone={value.warning ? 'warning' : undefined}
              testId="card-warning"
            />
          </Grid>
        </Grid>
        <Box display="flex" flexWrap="wrap" mt={2} style={{ gap: 16 }}>
          {Object.entries(value.byType).map(([type, count]) => (
            <Box key={type} display="flex" alignItems="center" style={{ gap: 4 }}>
              <IdentityTypeIcon type={type} />
              <Typography variant="body2">
                {count} {labelOf(TYPE_LABELS, type)}
                {count === 1 ? '' : 's'}
              </Typography>
            </Box>
          ))}
        </Box>
        <Box mt={2} data-testid="card-soonest">
          <Typography variant="subtitle2">Next to expire</Typography>
          {value.soonest ? (
            <Typography variant="body2" component="div">
              {value.soonest.displayName} —{' '}
              <ExpiryLabel notAfter={value.soonest.notAfter} />
            </Typography>
          ) : (
            <Typography variant="body2" color="textSecondary">
              Nothing expires.
            </Typography>
          )}
        </Box>
      </>
    );
  }
  return (
    <InfoCard title="Machine identities">
      <div data-testid="machine-identity-overview-card">{content}</div>
    </InfoCard>
  );
}
