import { Table, type TableColumn } from '@backstage/core-components';
import type { ReviewCampaign } from '@keyring/plugin-machine-identity-common';
import { CampaignStateLabel, formatDay } from './CampaignStateLabel';

const columns: TableColumn<ReviewCampaign>[] = [
  { title: 'Opened', field: 'openedAt', render: c => formatDay(c.openedAt) },
  { title: 'By', field: 'openedBy', render: c => c.openedBy.replace(/^user:default\//, '') },
  { title: 'Due', field: 'dueAt', render: c => formatDay(c.dueAt) },
  { title: 'State', field: 'state', cellStyle: { whiteSpace: 'nowrap' }, render: c => <CampaignStateLabel state={c.state} /> },
  { title: 'Attested', field: 'progress.decided', render: c => `${c.progress.decided} / ${c.progress.total}` },
  { title: 'Confirmed', field: 'progress.confirmed' },
  { title: 'Reassigned', field: 'progress.reassigned' },
  { title: 'To revoke', field: 'progress.revoked' },
  { title: 'Completed', field: 'completedAt', render: c => formatDay(c.completedAt) },
];

/** Every campaign of the Group, newest first. */
export function CampaignHistoryTable(props: { campaigns: ReviewCampaign[] }) {
  return (
    <Table<ReviewCampaign>
      title="Campaign history"
      // Not draggable: material-table puts a focusable drag handle inside each sort button.
      options={{ paging: props.campaigns.length > 10, pageSize: 10, search: false, padding: 'dense', draggable: false }}
      columns={columns}
      data={props.campaigns}
    />
  );
}
