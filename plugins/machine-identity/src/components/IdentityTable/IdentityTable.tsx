import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { Identity } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Collapse from '@material-ui/core/Collapse';
import Link from '@material-ui/core/Link';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import Typography from '@material-ui/core/Typography';
import KeyboardArrowDownIcon from '@material-ui/icons/KeyboardArrowDown';
import KeyboardArrowUpIcon from '@material-ui/icons/KeyboardArrowUp';
import { Fragment, ReactNode, useMemo, useState } from 'react';
import { EntityLink } from '../shared/EntityLink';
import { ExpiryLabel } from '../shared/ExpiryLabel';
import { expiryStatus } from '../shared/expiry';
import { IdentityDetailsDrawer } from '../shared/IdentityDetailsDrawer';
import { IdentityTypeIcon } from '../shared/IdentityTypeIcon';
import {
  ManagementChip,
  PolicyStatusLabel,
  ReviewStatusLabel,
} from '../shared/StatusLabels';
import { IdentityFilterBar } from './IdentityFilterBar';
import { IdentityRowDetails } from './IdentityRowDetails';
import { IdentityFilters, hasFilters } from './filters';
import { useIdentityPages } from './useIdentityPages';

type SortKey = 'type' | 'name' | 'owner' | 'expires' | 'violations';

const COLUMNS: { key?: SortKey; label: string }[] = [
  { key: 'type', label: 'Type' },
  { key: 'name', label: 'Name / subject' },
  { label: 'Where it lives' },
  { key: 'owner', label: 'Owner' },
  { key: 'expires', label: 'Expires' },
  { key: 'violations', label: 'Policy' },
  { label: 'Review' },
  { label: 'Management' },
];

function sortValue(identity: Identity, key: SortKey): string | number {
  switch (key) {
    case 'type':
      return identity.type;
    case 'name':
      return identity.displayName.toLowerCase();
    case 'owner':
      return identity.owner ?? '\uffff';
    case 'expires':
      return identity.notAfter
        ? new Date(identity.notAfter).getTime()
        : Number.MAX_SAFE_INTEGER;
    default:
      return identity.violationCount;
  }
}

/** Props of {@link IdentityTable}. */
export interface IdentityTableProps {
  /** Accessible name of the table, e.g. "Machine identities of payments-api". */
  title: string;
  /** Filters the user cannot change here (the entity, for an entity tab). */
  scope: { entityRef?: string };
  /** The user's filters. */
  filters: IdentityFilters;
  onFiltersChange: (filters: IdentityFilters) => void;
  /** Shown instead of the table when the unfiltered list is empty. */
  emptyState?: ReactNode;
  /** Identities per server page. */
  pageSize?: number;
  /** Hide the owner column (e.g. on a Group's own tab). */
  hideOwner?: boolean;
}

/**
 * A server-paginated table of identities: the server filters and pages (by
 * cursor, "Load more"), the loaded rows sort in the browser; a row expands to
 * show where the identity lives and which rules it violates, and its name
 * opens the detail drawer.
 */
export function IdentityTable(props: IdentityTableProps) {
  const { scope, filters, onFiltersChange, pageSize = 50 } = props;
  const query = useMemo(() => ({ ...filters, ...scope }), [filters, scope]);
  const pages = useIdentityPages(query, pageSize);
  const [sort, setSort] = useState<{ key: SortKey; direction: 'asc' | 'desc' }>();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [selected, setSelected] = useState<string>();

  const rows = useMemo(() => {
    if (!sort) {
      return pages.items;
    }
    const factor = sort.direction === 'asc' ? 1 : -1;
    return [...pages.items].sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      if (x < y) return -factor;
      if (x > y) return factor;
      return 0;
    });
  }, [pages.items, sort]);

  const columns = props.hideOwner
    ? COLUMNS.filter(c => c.key !== 'owner')
    : COLUMNS;

  const toggleSort = (key: SortKey) =>
    setSort(s =>
      s?.key === key
        ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' }
        : { key, direction: 'asc' },
    );

  const unfilteredEmpty =
    !pages.loading && !pages.error && pages.items.length === 0 && !hasFilters(filters);
  let body: ReactNode;
  if (pages.loading) {
    body = <Progress />;
  } else if (pages.error && pages.items.length === 0) {
    body = <ResponseErrorPanel error={pages.error} />;
  } else if (pages.items.length === 0) {
    body =
      hasFilters(filters) || !props.emptyState ? (
        <EmptyState
          missing="data"
          title="No machine identities match"
          description="Change or clear the filters to see more."
        />
      ) : (
        props.emptyState
      );
  } else {
    body = (
      <TableContainer component={Paper}>
        <Table
          size="small"
          aria-label={props.title}
          data-testid="machine-identity-table"
        >
          <TableHead>
            <TableRow>
              {columns.map(column => (
                <TableCell key={column.label}>
                  {column.key ? (
                    <TableSortLabel
                      active={sort?.key === column.key}
                      direction={sort?.key === column.key ? sort.direction : 'asc'}
                      onClick={() => toggleSort(column.key!)}
                    >
                      {column.label}
                    </TableSortLabel>
                  ) : (
                    column.label
                  )}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(identity => {
              const open = !!expanded[identity.id];
              return (
                <Fragment key={identity.id}>
                  <TableRow
                    hover
                    data-testid="machine-identity-row"
                    data-identity-id={identity.id}
                    data-identity-type={identity.type}
                    data-expiry-status={expiryStatus(identity.notAfter)}
                    data-violating={identity.violationCount > 0}
                  >
                    <TableCell>
                      <IdentityTypeIcon type={identity.type} />
                    </TableCell>
                    <TableCell>
                      <Link
                        component="button"
                        variant="body2"
                        onClick={() => setSelected(identity.id)}
                        data-testid="machine-identity-name"
                        style={{ textAlign: 'left' }}
                      >
                        {identity.displayName}
                      </Link>
                      {identity.subject && identity.subject !== identity.displayName && (
                        <Typography variant="caption" color="textSecondary" display="block">
                          {identity.subject}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      <Button
                        size="small"
                        aria-expanded={open}
                        aria-label={`${open ? 'Hide' : 'Show'} the ${identity.observationCount} locations of ${identity.displayName}`}
                        onClick={() =>
                          setExpanded(e => ({ ...e, [identity.id]: !open }))
                        }
                        endIcon={open ? <KeyboardArrowUpIcon /> : <KeyboardArrowDownIcon />}
                      >
                        {identity.observationCount} location
                        {identity.observationCount === 1 ? '' : 's'}
                      </Button>
                    </TableCell>
                    {!props.hideOwner && (
                      <TableCell>
                        <EntityLink entityRef={identity.owner} defaultKind="group" />
                      </TableCell>
                    )}
                    <TableCell>
                      <ExpiryLabel notAfter={identity.notAfter} />
                    </TableCell>
                    <TableCell>
                      <PolicyStatusLabel violationCount={identity.violationCount} />
                    </TableCell>
                    <TableCell>
                      <ReviewStatusLabel status={identity.reviewStatus} />
                    </TableCell>
                    <TableCell>
                      <ManagementChip management={identity.management} />
                    </TableCell>
                  </TableRow>
                  {open && (
                    <TableRow>
                      <TableCell colSpan={columns.length}>
                        <Collapse in={open} unmountOnExit>
                          <IdentityRowDetails id={identity.id} />
                        </Collapse>
                      </TableCell>
                    </TableRow>
                  )}
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
        {pages.error && <ResponseErrorPanel error={pages.error} />}
        <Box
          display="flex"
          alignItems="center"
          justifyContent="space-between"
          p={2}
        >
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="machine-identity-count"
          >
            {pages.hasMore
              ? `Showing the first ${pages.items.length} identities`
              : `${pages.items.length} identit${pages.items.length === 1 ? 'y' : 'ies'}`}
            {sort && pages.hasMore ? ' (sorting applies to the loaded rows)' : ''}
          </Typography>
          {pages.hasMore && (
            <Button
              variant="outlined"
              color="primary"
              onClick={pages.loadMore}
              disabled={pages.loadingMore}
              data-testid="machine-identity-load-more"
            >
              {pages.loadingMore ? 'Loading…' : 'Load more'}
            </Button>
          )}
        </Box>
      </TableContainer>
    );
  }

  return (
    <div data-testid="machine-identity-list">
      {!(unfilteredEmpty && props.emptyState) && (
        <IdentityFilterBar filters={filters} onChange={onFiltersChange} />
      )}
      {body}
      <IdentityDetailsDrawer
        identityId={selected}
        onClose={() => setSelected(undefined)}
      />
    </div>
  );
}
