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
import { Theme } from '@material-ui/core/styles';
import useMediaQuery from '@material-ui/core/useMediaQuery';
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
import { BreakableText } from '../shared/BreakableText';
import { EntityLink } from '../shared/EntityLink';
import { ExpiryLabel } from '../shared/ExpiryLabel';
import { LastUsedCaption } from '../shared/credentialFacts';
import { expiryStatus } from '../shared/expiry';
import { IdentityDetailsDrawer } from '../shared/IdentityDetailsDrawer';
import { IdentityTypeIcon } from '../shared/IdentityTypeIcon';
import {
  ManagementChip,
  ReviewStatusLabel,
} from '../shared/StatusLabels';
import { useTableStyles } from '../shared/tableStyles';
import { DownloadCsvButton } from './DownloadCsvButton';
import { IdentityFilterBar } from './IdentityFilterBar';
import { IdentityRowDetails } from './IdentityRowDetails';
import { PolicyCell } from './PolicyCell';
import { IdentityFilters, hasFilters } from './filters';
import { useIdentityPages } from './useIdentityPages';
import { useReloadOnInventoryChange } from '../shared/useReloadOnInventoryChange';
import { useScopeViolations } from './useScopeViolations';

type SortKey = 'type' | 'name' | 'owner' | 'expires' | 'violations';

type ColumnClass = 'icon' | 'grow' | 'nowrap' | 'shrink';

const COLUMNS: { key?: SortKey; label: string; className: ColumnClass }[] = [
  { key: 'type', label: 'Type', className: 'icon' },
  { key: 'name', label: 'Name / subject', className: 'grow' },
  { label: 'Where it lives', className: 'nowrap' },
  { key: 'owner', label: 'Owner', className: 'nowrap' },
  { key: 'expires', label: 'Expires', className: 'nowrap' },
  { key: 'violations', label: 'Policy', className: 'shrink' },
  { label: 'Review', className: 'shrink' },
  { label: 'Management', className: 'nowrap' },
];

/** Columns folded into others in the compact layout. */
const COMPACT_HIDDEN = ['Where it lives', 'Management'];

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
  /** Visible title above the table, followed by the count; "Machine identities" unless given. */
  heading?: string;
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
  // Live: the backend signals when this entity's identities change.
  useReloadOnInventoryChange(scope.entityRef, pages.reload);
  const [sort, setSort] = useState<{ key: SortKey; direction: 'asc' | 'desc' }>();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [selected, setSelected] = useState<string>();
  const classes = useTableStyles();
  const ruleChips = useScopeViolations(scope.entityRef);

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

  // Below the "lg" breakpoint (e.g. a 1024 px window) the locations expander
  // moves under the name and the management chip under the review status, so
  // the table fits without squeezing any word.
  const compact = useMediaQuery<Theme>(theme => theme.breakpoints.down('md'), {
    noSsr: true,
  });
  const columns = COLUMNS.filter(
    c =>
      !(props.hideOwner && c.key === 'owner') &&
      !(compact && COMPACT_HIDDEN.includes(c.label)),
  );

  const toggleSort = (key: SortKey) =>
    setSort(s =>
      s?.key === key
        ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' }
        : { key, direction: 'asc' },
    );

  const unfilteredEmpty =
    !pages.loading && !pages.error && pages.items.length === 0 && !hasFilters(filters);
  // The server's exact total; "+" only from a server that does not count.
  let count: string | undefined;
  if (!pages.loading) {
    count =
      pages.total !== undefined
        ? pages.total.toLocaleString('en-US')
        : `${pages.items.length.toLocaleString('en-US')}${pages.hasMore ? '+' : ''}`;
  }
  let body: ReactNode;
  if (pages.loading) {
    body = <Progress />;
  } else if (pages.error && pages.items.length === 0) {
    body = <ResponseErrorPanel error={pages.error} />;
  } else if (pages.items.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No machine identities match"
        description="Change or clear the filters to see more."
      />
    );
  } else {
    body = (
      <>
        <TableContainer>
          <Table
            size="small"
            aria-label={props.title}
            data-testid="machine-identity-table"
          >
            <TableHead>
              <TableRow>
                {columns.map(column => (
                  <TableCell
                    key={column.label}
                    className={`${classes.header} ${classes[column.className]}`}
                    sortDirection={
                      sort?.key === column.key ? sort?.direction : false
                    }
                  >
                    {column.key ? (
                      <TableSortLabel
                        active={sort?.key === column.key}
                        hideSortIcon
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
                const locationsToggle = (
                  <Button
                    size="small"
                    className={classes.expander}
                    aria-expanded={open}
                    // Starts with the visible text (WCAG 2.5.3); aria-expanded says shown or hidden.
                    aria-label={`${identity.observationCount} location${identity.observationCount === 1 ? '' : 's'} of ${identity.displayName}`}
                    onClick={() =>
                      setExpanded(e => ({ ...e, [identity.id]: !open }))
                    }
                    endIcon={open ? <KeyboardArrowUpIcon /> : <KeyboardArrowDownIcon />}
                    data-testid="machine-identity-locations-toggle"
                  >
                    {identity.observationCount} location
                    {identity.observationCount === 1 ? '' : 's'}
                  </Button>
                );
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
                      <TableCell className={classes.icon}>
                        <IdentityTypeIcon type={identity.type} />
                      </TableCell>
                      <TableCell className={classes.grow}>
                        <Link
                          component="button"
                          variant="body2"
                          onClick={() => setSelected(identity.id)}
                          data-testid="machine-identity-name"
                          style={{ textAlign: 'left' }}
                        >
                          <BreakableText text={identity.displayName} />
                        </Link>
                        {identity.subject && identity.subject !== identity.displayName && (
                          <Typography variant="caption" color="textSecondary" display="block">
                            <BreakableText text={identity.subject} />
                          </Typography>
                        )}
                        {compact && <Box mt={0.5}>{locationsToggle}</Box>}
                      </TableCell>
                      {!compact && (
                        <TableCell className={classes.nowrap}>
                          {locationsToggle}
                        </TableCell>
                      )}
                      {!props.hideOwner && (
                        <TableCell className={classes.nowrap}>
                          <EntityLink entityRef={identity.owner} defaultKind="group" />
                        </TableCell>
                      )}
                      <TableCell className={compact ? classes.shrink : classes.nowrap}>
                        <ExpiryLabel notAfter={identity.notAfter} />
                        <LastUsedCaption identity={identity} />
                      </TableCell>
                      <TableCell className={classes.shrink}>
                        <PolicyCell
                          violationCount={identity.violationCount}
                          violations={identity.openRules ?? ruleChips?.get(identity.id)}
                          onShowDetails={() =>
                            setExpanded(e => ({ ...e, [identity.id]: true }))
                          }
                        />
                      </TableCell>
                      <TableCell className={classes.shrink}>
                        <ReviewStatusLabel status={identity.reviewStatus} />
                        {compact && (
                          <Box mt={0.5}>
                            <ManagementChip management={identity.management} />
                          </Box>
                        )}
                      </TableCell>
                      {!compact && (
                        <TableCell className={classes.nowrap}>
                          <ManagementChip management={identity.management} />
                        </TableCell>
                      )}
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
        </TableContainer>
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
              ? `Showing the first ${pages.items.length}${pages.total !== undefined ? ` of ${pages.total.toLocaleString('en-US')}` : ''} identities`
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
      </>
    );
  }

  return (
    <div data-testid="machine-identity-list">
      {unfilteredEmpty && props.emptyState ? (
        props.emptyState
      ) : (
        <Paper>
          <Box px={2} pt={2}>
            <Box display="flex" alignItems="baseline" justifyContent="space-between" flexWrap="wrap">
              <Typography
                variant="h5"
                component="h2"
                gutterBottom
                data-testid="machine-identity-table-title"
              >
                {props.heading ?? 'Machine identities'}
                {count !== undefined && ` (${count})`}
              </Typography>
              {!pages.loading && pages.items.length > 0 && <DownloadCsvButton query={query} />}
            </Box>
            <IdentityFilterBar filters={filters} onChange={onFiltersChange} />
          </Box>
          {body}
        </Paper>
      )}
      <IdentityDetailsDrawer
        identityId={selected}
        onClose={() => setSelected(undefined)}
      />
    </div>
  );
}
