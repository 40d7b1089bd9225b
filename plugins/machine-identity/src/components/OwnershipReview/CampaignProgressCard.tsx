import { InfoCard } from '@backstage/core-components';
import type { ReviewCampaign } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { CampaignStateLabel, formatDay } from './CampaignStateLabel';

/**
 * The current campaign: a progress bar, its counts and due date. Privileged
 * items confirmed once (second-reviewer campaigns) count as remaining and are
 * shown as awaiting a second review.
 */
export function CampaignProgressCard(props: { campaign: ReviewCampaign }) {
  const { campaign } = props;
  const { total, decided, confirmed, reassigned, revoked, remaining, awaitingSecondReview } = campaign.progress;
  const percent = total === 0 ? 100 : Math.round((decided / total) * 100);
  return (
    <InfoCard title="Ownership review" subheader={`Opened ${formatDay(campaign.openedAt)} · due ${formatDay(campaign.dueAt)}`}>
      <Box display="flex" alignItems="center" style={{ gap: 16 }} mb={1}>
        <CampaignStateLabel state={campaign.state} />
        <Typography variant="body2" aria-label="campaign progress">
          {decided} of {total} attested ({percent}%)
        </Typography>
      </Box>
      <LinearProgress variant="determinate" value={percent} aria-label={`${percent}% attested`} />
      <Box display="flex" style={{ gap: 24 }} mt={2}>
        <Typography variant="body2">Confirmed: {confirmed}</Typography>
        <Typography variant="body2">Reassigned: {reassigned}</Typography>
        <Typography variant="body2">To revoke: {revoked}</Typography>
        <Typography variant="body2">Remaining: {remaining}</Typography>
        {(campaign.secondReviewer || (awaitingSecondReview ?? 0) > 0) && (
          <Typography variant="body2">Awaiting second review: {awaitingSecondReview ?? 0}</Typography>
        )}
      </Box>
    </InfoCard>
  );
}
