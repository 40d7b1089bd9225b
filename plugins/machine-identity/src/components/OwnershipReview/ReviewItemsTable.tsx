import { InfoCard } from '@backstage/core-components';
import type { ReviewDecisionKind, ReviewItem } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useMemo, useState } from 'react';
import { ReviewStatusLabel } from '../shared/StatusLabels';

/** Which items the table shows (`awaiting-second-review`: confirmed once, a subset of undecided). */
export type ItemFilter = 'undecided' | 'all' | 'awaiting-second-review' | ReviewDecisionKind;

const FILTERS: Array<[ItemFilter, string]> = [
  ['undecided', 'To attest'],
  ['awaiting-second-review', 'Awaiting second review'],
  ['all', 'All'],
  ['confirm', 'Confirmed'],
  ['reassign', 'Reassigned'],
  ['revoke', 'To revoke'],
];

const DECISION_LABELS: Record<ReviewDecisionKind, string> = {
  confirm: 'Confirmed',
  reassign: 'Reassigned',
  revoke: 'Revocation requested',
};

const userName = (ref: string) => ref.replace(/^user:default\//, '');

/** The Decision cell: the decision, or a privileged item's first confirmation waiting for a second member. */
function decisionText(item: ReviewItem): string {
  if (item.decision) {
    return `${DECISION_LABELS[item.decision]}${item.toOwner ? ` → ${item.toOwner}` : ''}${item.decidedBy ? ` by ${userName(item.decidedBy)}` : ''}`;
  }
  return item.firstConfirmedBy ? `Confirmed by ${userName(item.firstConfirmedBy)} — needs a second reviewer` : '';
}

/**
 * The campaign's identities with filters, a selection and bulk decisions:
 * confirm at once, reassign or request revocation through a comment dialog.
 */
export function ReviewItemsTable(props: {
  items: ReviewItem[];
  filter: ItemFilter;
  onFilter: (filter: ItemFilter) => void;
  canDecide: boolean;
  busy: boolean;
  /** The backend's refusal of the last decision, in its own words. */
  problem?: string;
  onDecide: (decision: ReviewDecisionKind, ids: string[]) => void;
}) {
  const { items, filter, canDecide, busy } = props;
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const shown = useMemo(
    () => items.filter(i => !q || i.displayName.toLowerCase().includes(q.toLowerCase())),
    [items, q],
  );
  const selectable = shown.filter(i => !i.decision);
  const chosen = selectable.filter(i => selected.has(i.identityId)).map(i => i.identityId);
  const toggle = (id: string) =>
    setSelected(prev => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const decide = (decision: ReviewDecisionKind) => {
    props.onDecide(decision, chosen);
    setSelected(new Set());
  };
  const allChosen = selectable.length > 0 && chosen.length === selectable.length;

  return (
    <InfoCard title="Identities to attest" noPadding>
      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 12 }} p={2}>
        {/* ids tie the labels to the controls (the select is named "Show <value>"). */}
        <TextField
          select
          id="review-items-filter"
          size="small"
          label="Show"
          value={filter}
          onChange={e => props.onFilter(e.target.value as ItemFilter)}
        >
          {FILTERS.map(([value, label]) => (
            <MenuItem key={value} value={value}>
              {label}
            </MenuItem>
          ))}
        </TextField>
        <TextField id="review-items-search" size="small" label="Search" value={q} onChange={e => setQ(e.target.value)} />
        <Box flexGrow={1} />
        {canDecide && (
          <>
            <Typography variant="body2">{chosen.length} selected</Typography>
            <Button variant="contained" color="primary" disabled={busy || chosen.length === 0} onClick={() => decide('confirm')}>
              Confirm
            </Button>
            <Button variant="outlined" disabled={busy || chosen.length === 0} onClick={() => decide('reassign')}>
              Reassign…
            </Button>
            <Button variant="outlined" disabled={busy || chosen.length === 0} onClick={() => decide('revoke')}>
              Request revocation…
            </Button>
          </>
        )}
      </Box>
      {props.problem && (
        <Box px={2} pb={2}>
          <Typography variant="body2" color="error" role="alert">
            {props.problem}
          </Typography>
        </Box>
      )}
      <Table size="small" aria-label="identities to attest">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox">
              {canDecide && (
                <Checkbox
                  inputProps={{ 'aria-label': 'select all' }}
                  checked={allChosen}
                  indeterminate={chosen.length > 0 && !allChosen}
                  onChange={() => setSelected(allChosen ? new Set() : new Set(selectable.map(i => i.identityId)))}
                />
              )}
            </TableCell>
            <TableCell>Identity</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Component</TableCell>
            <TableCell>Review</TableCell>
            <TableCell>Decision</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {shown.map(item => (
            <TableRow key={item.identityId}>
              <TableCell padding="checkbox">
                {canDecide && !item.decision && (
                  <Checkbox
                    inputProps={{ 'aria-label': `select ${item.displayName}` }}
                    checked={selected.has(item.identityId)}
                    onChange={() => toggle(item.identityId)}
                  />
                )}
              </TableCell>
              <TableCell>
                {item.displayName}
                {item.privilegedReason && (
                  <Typography variant="caption" display="block" color="textSecondary">
                    Privileged: {item.privilegedReason}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{item.type}</TableCell>
              <TableCell>{item.component?.replace(/^component:default\//, '') ?? ''}</TableCell>
              <TableCell>
                <ReviewStatusLabel status={item.reviewStatus} />
              </TableCell>
              <TableCell>{decisionText(item)}</TableCell>
            </TableRow>
          ))}
          {shown.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>
                <Typography variant="body2">Nothing to show for this filter.</Typography>
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
