import { InfoCard } from '@backstage/core-components';
import type { Reassignment } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';

/** Identities other Groups hand to this one: accept or reject (never your own request). */
export function ReassignmentsCard(props: {
  reassignments: Reassignment[];
  currentUserRef?: string;
  busy: boolean;
  onDecide: (id: string, decision: 'accept' | 'reject') => void;
}) {
  const { reassignments, currentUserRef, busy } = props;
  return (
    <InfoCard title="Reassignments awaiting this Group">
      {reassignments.length === 0 ? (
        <Typography variant="body2">No identity is waiting to be handed to this Group.</Typography>
      ) : (
        <List dense>
          {reassignments.map(r => {
            const own = r.requestedBy === currentUserRef;
            return (
              <ListItem key={r.id} divider>
                <ListItemText
                  primary={`${r.identityDisplayName ?? r.identityId} from ${r.fromOwner ?? 'no owner'}`}
                  secondary={`${r.requestedBy}: ${r.comment}`}
                />
                <Box display="flex" style={{ gap: 8 }}>
                  <Tooltip title={own ? 'You asked for this reassignment: someone else in this Group must accept it' : ''}>
                    <span>
                      <Button size="small" color="primary" variant="contained" disabled={busy || own} onClick={() => props.onDecide(r.id, 'accept')}>
                        Accept
                      </Button>
                    </span>
                  </Tooltip>
                  <Button size="small" variant="outlined" disabled={busy} onClick={() => props.onDecide(r.id, 'reject')}>
                    Reject
                  </Button>
                </Box>
              </ListItem>
            );
          })}
        </List>
      )}
    </InfoCard>
  );
}
