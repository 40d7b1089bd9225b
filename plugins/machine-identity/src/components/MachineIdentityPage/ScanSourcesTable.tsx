import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { formatDateTime } from '../shared/expiry';
import { ScanStatusLabel } from '../shared/StatusLabels';
import { useTableStyles } from '../shared/tableStyles';
import { LiveScanProgress } from './LiveScanProgress';

/**
 * Configured scan sources with their last run and health, and a "Scan now"
 * button per source (`POST /sources/:id/scan`).
 */
export function ScanSourcesTable() {
  const classes = useTableStyles();
  const api = useApi(machineIdentityApiRef);
  const alertApi = useApi(alertApiRef);
  const [starting, setStarting] = useState<string>();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listSources(),
    [api],
  );

  const scanNow = async (sourceId: string) => {
    setStarting(sourceId);
    try {
      const { scanId, alreadyRunning } = await api.triggerScan(sourceId);
      alertApi.post({
        message: alreadyRunning
          ? `A scan of ${sourceId} is already running (${scanId}).`
          : `Scan of ${sourceId} started (${scanId}).`,
        severity: 'success',
        display: 'transient',
      });
      retry();
    } catch (e) {
      alertApi.post({
        message: `Could not start a scan of ${sourceId}: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setStarting(undefined);
    }
  };

  if (loading && !value) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value || value.length === 0) {
    return (
      <EmptyState
        missing="info"
        title="No scan sources"
        description="Add sources under machineIdentity.sources in app-config.yaml."
      />
    );
  }
  return (
    <Box overflow="auto">
      <Table size="small" aria-label="Scan sources" data-testid="scan-sources">
        <TableHead>
          <TableRow>
            <TableCell className={classes.header}>Source</TableCell>
            <TableCell className={classes.header}>Type</TableCell>
            <TableCell className={classes.header}>Health</TableCell>
            <TableCell className={classes.header}>Last run</TableCell>
            <TableCell align="right" className={classes.header}>Seen</TableCell>
            <TableCell align="right" className={classes.header}>New</TableCell>
            <TableCell align="right" className={classes.header}>Retired</TableCell>
            <TableCell align="right" className={classes.header}>Errors</TableCell>
            <TableCell className={classes.header} />
          </TableRow>
        </TableHead>
        <TableBody>
          {value.map(source => {
            const run = source.lastRun;
            const errors = run?.errors ?? [];
            return (
              <TableRow
                key={source.id}
                data-testid="scan-source-row"
                data-source-id={source.id}
                data-status={run?.status ?? 'never'}
              >
                <TableCell className={classes.shrink}>{source.id}</TableCell>
                <TableCell className={classes.shrink}>{source.type}</TableCell>
                <TableCell className={classes.nowrap}>
                  <ScanStatusLabel status={run?.status} />
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {run ? formatDateTime(run.finishedAt ?? run.startedAt) : '—'}
                  <LiveScanProgress sourceId={source.id} run={run} onChange={retry} />
                </TableCell>
                <TableCell align="right">{run?.seen ?? '—'}</TableCell>
                <TableCell align="right">{run?.added ?? '—'}</TableCell>
                <TableCell align="right">{run?.retired ?? '—'}</TableCell>
                <TableCell align="right">
                  {errors.length > 0 ? (
                    <Tooltip
                      title={errors
                        .slice(0, 5)
                        .map(e => (e.location ? `${e.location}: ${e.message}` : e.message))
                        .join('\n')}
                    >
                      <span>{errors.length}</span>
                    </Tooltip>
                  ) : (
                    0
                  )}
                </TableCell>
                <TableCell align="right">
                  <Button
                    size="small"
                    variant="outlined"
                    color="primary"
                    disabled={starting === source.id || run?.status === 'running'}
                    onClick={() => scanNow(source.id)}
                    aria-label={`Scan now: ${source.id}`}
                  >
                    Scan now
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}
