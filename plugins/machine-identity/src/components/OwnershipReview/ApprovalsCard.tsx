import { InfoCard } from '@backstage/core-components';
import type { WaiverRequest } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { formatDay } from './CampaignStateLabel';

/** Waiver requests by others that the signed-in user may approve or reject. */
export function ApprovalsCard(props: {
  waivers: WaiverRequest[];
  busy: boolean;
  onDecide: (id: string, decision: 'approve' | 'reject') => void;
}) {
  const { waivers, busy } = props;
  return (
    <InfoCard title="Waivers awaiting your approval">
      {waivers.length === 0 ? (
        <Typography variant="body2">No waiver request is waiting for you.</Typography>
      ) : (
        <List dense>
          {waivers.map(w => (
            <ListItem key={w.id} divider>
              <ListItemText
                primary={`${w.ruleId} on ${w.identityDisplayName ?? w.identityId} until ${formatDay(w.expiresAt)}`}
                secondary={`${w.requestedBy}: ${w.reason}`}
              />
              <Box display="flex" style={{ gap: 8 }}>
                <Button size="small" color="primary" variant="contained" disabled={busy} onClick={() => props.onDecide(w.id, 'approve')}>
                  Approve
                </Button>
                <Button size="small" variant="outlined" disabled={busy} onClick={() => props.onDecide(w.id, 'reject')}>
                  Reject
                </Button>
              </Box>
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
