import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { ReviewDecisionKind, ReviewDecisionResult } from '@keyring/plugin-machine-identity-common';
import Grid from '@material-ui/core/Grid';
import { useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { RevocationRequestTable } from '../Decommissioning/RevocationRequestTable';
import { useCurrentUserRef } from '../Decommissioning/useCurrentUserRef';
import { ApprovalsCard } from './ApprovalsCard';
import { CampaignHistoryTable } from './CampaignHistoryTable';
import { CampaignProgressCard } from './CampaignProgressCard';
import { DecisionDialog } from './DecisionDialog';
import { ReassignmentsCard } from './ReassignmentsCard';
import { type ItemFilter, ReviewItemsTable } from './ReviewItemsTable';
import { problemMessage } from '../shared/problemMessage';
import { useIsMember } from './useIsMember';
import { useOwnershipReview } from './useOwnershipReview';

/** What a decision call recorded: the decisions that count, and the first confirmations waiting for a second member. */
function decisionDone(result: ReviewDecisionResult): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const firsts = result.firstConfirmations?.length ?? 0;
  const recorded = `Recorded ${plural(result.decided, 'decision')}`;
  return firsts === 0 ? recorded : `${recorded}; ${firsts} awaiting a second confirmation by another member`;
}

/**
 * The "Ownership review" tab of a Group: the current campaign's progress,
 * its identities to attest (filters, bulk confirm / reassign / request
 * revocation), reassignments awaiting this Group, requests awaiting the
 * user's approval, and the campaign history. The backend decides who may do
 * what (members attest, a second person approves); refusals show as alerts.
 *
 * @public
 */
export function EntityOwnershipReviewContent() {
  const { entity } = useEntity();
  const groupRef = stringifyEntityRef(entity).toLowerCase();
  const api = useApi(machineIdentityApiRef);
  const alertApi = useApi(alertApiRef);
  const currentUserRef = useCurrentUserRef();
  const member = useIsMember(groupRef);
  const [filter, setFilter] = useState<ItemFilter>('undecided');
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<{ decision: 'reassign' | 'revoke'; ids: string[] }>();
  const [waiverProblem, setWaiverProblem] = useState<string>();
  const [decisionProblem, setDecisionProblem] = useState<string>();
  const { data, error, reload } = useOwnershipReview(groupRef, filter);

  const run = async <T,>(action: () => Promise<T>, done: string | ((result: T) => string), onProblem?: (message?: string) => void) => {
    setBusy(true);
    onProblem?.(undefined);
    try {
      const result = await action();
      alertApi.post({ message: typeof done === 'string' ? done : done(result), severity: 'success', display: 'transient' });
    } catch (e) {
      const message = problemMessage(e);
      onProblem?.(message);
      alertApi.post({ message, severity: 'error' });
    } finally {
      setBusy(false);
      await reload();
    }
  };
  const decide = (decision: ReviewDecisionKind, ids: string[], extra: { comment?: string; toOwner?: string } = {}) =>
    run(
      () => api.decideReviewItems(data!.current!.id, ids.map(identityId => ({ identityId, decision, ...extra }))),
      decisionDone,
      setDecisionProblem,
    );

  if (error) return <ResponseErrorPanel error={error} />;
  if (!data) return <Progress />;
  const { current } = data;

  return (
    <Grid container spacing={3}>
      {current ? (
        <>
          <Grid item xs={12}>
            <CampaignProgressCard campaign={current} />
          </Grid>
          <Grid item xs={12}>
            <ReviewItemsTable
              items={current.items}
              filter={filter}
              onFilter={setFilter}
              canDecide={member && (current.state === 'open' || current.state === 'overdue')}
              busy={busy}
              problem={decisionProblem}
              onDecide={(decision, ids) =>
                decision === 'confirm' ? decide('confirm', ids) : setPending({ decision, ids })
              }
            />
          </Grid>
        </>
      ) : (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="No ownership review yet"
            description="A campaign opens for this Group every review period (machineIdentity.reviews.every), or when an admin opens one."
          />
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <ReassignmentsCard
          reassignments={data.reassignments}
          currentUserRef={currentUserRef}
          busy={busy}
          onDecide={(id, d) => run(() => api.decideReassignment(id, d), d === 'accept' ? 'Reassignment accepted' : 'Reassignment rejected')}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <ApprovalsCard
          waivers={data.waivers}
          groupWaivers={data.groupWaivers}
          currentUserRef={currentUserRef}
          busy={busy}
          problem={waiverProblem}
          onDecide={(id, d) =>
            run(() => api.decideWaiverRequest(id, d), d === 'approve' ? 'Waiver approved' : 'Waiver rejected', setWaiverProblem)
          }
        />
      </Grid>
      {data.revocations.length > 0 && (
        <Grid item xs={12}>
          <RevocationRequestTable
            title="Revocations awaiting approval"
            requests={data.revocations}
            currentUserRef={currentUserRef}
            onChange={() => reload()}
          />
        </Grid>
      )}
      {data.campaigns.length > 0 && (
        <Grid item xs={12}>
          <CampaignHistoryTable campaigns={data.campaigns} />
        </Grid>
      )}
      {pending && (
        <DecisionDialog
          decision={pending.decision}
          count={pending.ids.length}
          onCancel={() => setPending(undefined)}
          onSubmit={input => {
            const { decision, ids } = pending;
            setPending(undefined);
            decide(decision, ids, input);
          }}
        />
      )}
    </Grid>
  );
}
