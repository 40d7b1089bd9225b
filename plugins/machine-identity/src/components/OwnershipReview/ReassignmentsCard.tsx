import type { Reassignment } from '@keyring/plugin-machine-identity-common';
import { DecisionList } from './DecisionList';

/** Identities other Groups hand to this one: accept or reject (never your own request). */
export function ReassignmentsCard(props: {
  reassignments: Reassignment[];
  currentUserRef?: string;
  busy: boolean;
  onDecide: (id: string, decision: 'accept' | 'reject') => void;
}) {
  return (
    <DecisionList
      title="Reassignments awaiting this Group"
      empty="No identity is waiting to be handed to this Group."
      labels={['Accept', 'Reject']}
      busy={props.busy}
      items={props.reassignments.map(r => ({
        id: r.id,
        primary: `${r.identityDisplayName ?? r.identityId} from ${r.fromOwner ?? 'no owner'}`,
        secondary: `${r.requestedBy}: ${r.comment}`,
        cannotApprove:
          r.requestedBy === props.currentUserRef
            ? 'You asked for this reassignment: someone else in this Group must accept it'
            : undefined,
      }))}
      onDecide={(id, yes) => props.onDecide(id, yes ? 'accept' : 'reject')}
    />
  );
}
