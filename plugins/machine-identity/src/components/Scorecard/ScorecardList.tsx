import { Link, StatusError, StatusOK, StatusPending } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type { ScorecardRow } from './scorecardModel';

const STATUS = {
  pass: { Icon: StatusOK, label: 'Passed' },
  fail: { Icon: StatusError, label: 'Failed' },
  unknown: { Icon: StatusPending, label: 'No result' },
};

/**
 * Pass/fail per check with the reason, and for a failed check a link to
 * the identities concerned (`identitiesPath` is the entity's "Machine
 * identities" tab).
 */
export function ScorecardList(props: { rows: ScorecardRow[]; identitiesPath?: string }) {
  return (
    <List dense disablePadding>
      {props.rows.map(row => {
        const { Icon, label } = STATUS[row.status];
        return (
          <ListItem key={row.id} disableGutters data-testid={`check-${row.id}`} data-status={row.status}>
            <ListItemText
              primary={
                <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                  <Icon aria-label={label}>{row.name}</Icon>
                </Box>
              }
              secondary={
                <>
                  <Typography component="span" variant="body2">
                    {label}: {row.reason}
                  </Typography>
                  {row.identityFilter && props.identitiesPath && (
                    <>
                      {' · '}
                      {/* Underlined: a link inside a line of text must not rely on colour alone. */}
                      <Link to={`${props.identitiesPath}?${row.identityFilter}`} underline="always">
                        Show identities
                      </Link>
                    </>
                  )}
                </>
              }
            />
          </ListItem>
        );
      })}
    </List>
  );
}
