import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { Page } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import {
  ViolationListItem,
  machineIdentityApiRef,
} from '../../api/MachineIdentityApi';
import { EntityLink } from '../shared/EntityLink';
import { ExpiryLabel } from '../shared/ExpiryLabel';
import { BreakableText } from '../shared/BreakableText';
import { IdentityTypeIcon } from '../shared/IdentityTypeIcon';
import { SeverityLabel } from '../shared/StatusLabels';
import { useTableStyles } from '../shared/tableStyles';

const PAGE_SIZE = 50;

/** Violations of one rule (`GET /violations?ruleId=`), paged by cursor. */
export function ViolationTable(props: { ruleId: string }) {
  const classes = useTableStyles();
  const api = useApi(machineIdentityApiRef);
  const [items, setItems] = useState<ViolationListItem[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let live = true;
    setLoading(true);
    setItems([]);
    setError(undefined);
    api.listViolations({ ruleId: props.ruleId, limit: PAGE_SIZE }).then(
      (page: Page<ViolationListItem>) => {
        if (!live) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setLoading(false);
      },
      e => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [api, props.ruleId]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await api.listViolations({
        ruleId: props.ruleId,
        cursor,
        limit: PAGE_SIZE,
      });
      setItems(current => [...current, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };

  if (loading && items.length === 0) {
    return <Progress />;
  }
  if (error && items.length === 0) {
    return <ResponseErrorPanel error={error} />;
  }
  if (items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title={`No violations of ${props.ruleId}`}
        description="Nothing currently breaks this rule."
      />
    );
  }
  return (
    <TableContainer component={Paper}>
      <Table
        size="small"
        aria-label={`Violations of ${props.ruleId}`}
        data-testid="machine-identity-violations-table"
      >
        <TableHead>
          <TableRow>
            <TableCell className={classes.header}>Type</TableCell>
            <TableCell className={classes.header}>Identity</TableCell>
            <TableCell className={classes.header}>Severity</TableCell>
            <TableCell className={classes.header}>Message</TableCell>
            <TableCell className={classes.header}>Remediation</TableCell>
            <TableCell className={classes.header}>Owner</TableCell>
            <TableCell className={classes.header}>Expires</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map(v => (
            <TableRow key={`${v.identityId}|${v.ruleId}`} data-testid="machine-identity-violation-row">
              <TableCell className={classes.icon}>{v.identityType && <IdentityTypeIcon type={v.identityType} />}</TableCell>
              <TableCell className={classes.grow}>
                <BreakableText text={v.identityDisplayName ?? v.identityId} />
              </TableCell>
              <TableCell className={classes.nowrap}>
                <SeverityLabel severity={v.severity} />
              </TableCell>
              <TableCell>{v.message}</TableCell>
              <TableCell>{v.remediation}</TableCell>
              <TableCell className={classes.nowrap}>
                <EntityLink entityRef={v.owner} defaultKind="group" />
              </TableCell>
              <TableCell className={classes.nowrap}>
                <ExpiryLabel notAfter={v.notAfter} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box display="flex" justifyContent="space-between" alignItems="center" p={2}>
        <Typography variant="body2" color="textSecondary">
          {cursor ? `Showing the first ${items.length}` : `${items.length} violations`}
        </Typography>
        {cursor && (
          <Button variant="outlined" color="primary" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </Button>
        )}
      </Box>
    </TableContainer>
  );
}
