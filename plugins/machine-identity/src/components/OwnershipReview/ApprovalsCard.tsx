import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import Alert from '@material-ui/lab/Alert';
import { formatDay } from './CampaignStateLabel';
import { DecisionList } from './DecisionList';

/**
 * Waiver requests awaiting approval: those by others that the signed-in user
 * may approve or reject, and this Group's own open ones (the user's marked
 * as theirs). The backend refuses a requester's own approval (separation of
 * duties); its message shows here.
 */
export function ApprovalsCard(props: {
  waivers: WaiverRequest[];
  groupWaivers?: WaiverRequest[];
  currentUserRef?: string;
  busy: boolean;
  /** The backend's refusal of the last decision, if any. */
  problem?: string;
  onDecide: (id: string, decision: 'approve' | 'reject') => void;
}) {
  const me = props.currentUserRef;
  const shown = new Map(props.waivers.map(w => [w.id, w]));
  for (const w of props.groupWaivers ?? []) if (!shown.has(w.id)) shown.set(w.id, w);
  return (
    <>
      {props.problem && (
        <Alert severity="error" role="alert" data-testid="waiver-decision-problem">
          {props.problem}
        </Alert>
      )}
      <DecisionList
        title="Waivers awaiting your approval"
        empty="No waiver request is waiting for you."
        labels={['Approve', 'Reject']}
        busy={props.busy}
        items={[...shown.values()].map(w => ({
          id: w.id,
          primary: `${w.ruleId} on ${w.identityDisplayName ?? w.identityId} until ${formatDay(w.expiresAt)}`,
          secondary: `${w.requestedBy.toLowerCase() === me ? 'Requested by you (another person must approve)' : w.requestedBy}: ${w.reason}`,
        }))}
        onDecide={(id, yes) => props.onDecide(id, yes ? 'approve' : 'reject')}
      />
    </>
  );
}
