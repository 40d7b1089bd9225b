import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import { formatDay } from './CampaignStateLabel';
import { DecisionList } from './DecisionList';

/** Waiver requests by others that the signed-in user may approve or reject. */
export function ApprovalsCard(props: {
  waivers: WaiverRequest[];
  busy: boolean;
  onDecide: (id: string, decision: 'approve' | 'reject') => void;
}) {
  return (
    <DecisionList
      title="Waivers awaiting your approval"
      empty="No waiver request is waiting for you."
      labels={['Approve', 'Reject']}
      busy={props.busy}
      items={props.waivers.map(w => ({
        id: w.id,
        primary: `${w.ruleId} on ${w.identityDisplayName ?? w.identityId} until ${formatDay(w.expiresAt)}`,
        secondary: `${w.requestedBy}: ${w.reason}`,
      }))}
      onDecide={(id, yes) => props.onDecide(id, yes ? 'approve' : 'reject')}
    />
  );
}
