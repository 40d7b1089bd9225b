import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';

/** One request waiting for a yes or no. */
export interface PendingDecision {
  id: string;
  primary: string;
  secondary: string;
  /** Why the user may not say yes (their own request), if so. */
  cannotApprove?: string;
}

/** A card of requests, each with an approving and a refusing button. */
export function DecisionList(props: {
  title: string;
  empty: string;
  items: PendingDecision[];
  labels: [approve: string, refuse: string];
  busy: boolean;
  onDecide: (id: string, approve: boolean) => void;
}) {
  const { items, busy, labels } = props;
  return (
    <InfoCard title={props.title}>
      {items.length === 0 ? (
        <Typography variant="body2">{props.empty}</Typography>
      ) : (
        <List dense>
          {items.map(item => (
            <ListItem key={item.id} divider>
              <ListItemText primary={item.primary} secondary={item.secondary} />
              <Box display="flex" style={{ gap: 8 }}>
                <Tooltip title={item.cannotApprove ?? ''}>
                  <span>
                    <Button
                      size="small"
                      color="primary"
                      variant="contained"
                      disabled={busy || !!item.cannotApprove}
                      onClick={() => props.onDecide(item.id, true)}
                    >
                      {labels[0]}
                    </Button>
                  </span>
                </Tooltip>
                <Button size="small" variant="outlined" disabled={busy} onClick={() => props.onDecide(item.id, false)}>
                  {labels[1]}
                </Button>
              </Box>
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
