import { Table, type TableColumn } from '@backstage/core-components';
import type { RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Typography from '@material-ui/core/Typography';
import { RevocationActions } from './RevocationActions';
import { RevocationStateLabel } from './RevocationStateLabel';

const when = (iso?: string) => (iso ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' }) : '');

/** Revocation requests with their state, outcome and (for `requested`) approve/reject. */
export function RevocationRequestTable(props: {
  title: string;
  requests: RevocationRequest[];
  currentUserRef?: string;
  onChange: (updated: RevocationRequest) => void;
}) {
  const columns: TableColumn<RevocationRequest>[] = [
    {
      title: 'Credential',
      field: 'identityDisplayName',
      render: r => (
        <>
          <Typography variant="body2">{r.identityDisplayName ?? r.identityId}</Typography>
          <Typography variant="caption" color="textSecondary">
            {r.identityType} · {r.places.length} place(s)
          </Typography>
        </>
      ),
    },
    { title: 'State', field: 'state', render: r => <RevocationStateLabel state={r.state} /> },
    { title: 'Why', field: 'reason' },
    {
      title: 'Requested',
      field: 'requestedAt',
      render: r => (
        <>
          <Typography variant="body2">{r.requestedBy}</Typography>
          <Typography variant="caption" color="textSecondary">{when(r.requestedAt)}</Typography>
        </>
      ),
    },
    {
      title: 'Decision',
      field: 'decidedBy',
      render: r => (r.decidedBy ? `${r.decidedBy}${r.decisionComment ? `: ${r.decisionComment}` : ''}` : r.expiresAt ? `due ${when(r.expiresAt)}` : ''),
    },
    { title: 'Outcome', field: 'outcomeMessage', render: r => r.outcomeMessage ?? (r.owner && r.state === 'manual' ? `Owner: ${r.owner}` : '') },
    {
      title: 'Actions',
      field: 'id',
      sorting: false,
      render: r => <RevocationActions request={r} currentUserRef={props.currentUserRef} onChange={props.onChange} />,
    },
  ];
  return (
    <Table<RevocationRequest>
      title={props.title}
      options={{ paging: props.requests.length > 10, pageSize: 10, search: false, padding: 'dense' }}
      columns={columns}
      data={props.requests}
    />
  );
}
