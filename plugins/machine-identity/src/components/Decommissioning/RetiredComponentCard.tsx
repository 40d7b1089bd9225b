import { InfoCard, StatusError, StatusWarning } from '@backstage/core-components';
import type { RetiredComponent, RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { RevocationRequestTable } from './RevocationRequestTable';

const STATUS_TEXT: Record<RetiredComponent['status'], string> = {
  decommissioned: 'Decommissioned in the catalog',
  missing: 'Gone from the catalog — inside the grace period, nothing requested yet',
  removed: 'Gone from the catalog past the grace period',
};

/** One retired Component: why it counts as retired, its revocation requests and the shared credentials left alone. */
export function RetiredComponentCard(props: {
  component: RetiredComponent;
  currentUserRef?: string;
  onChange: (updated: RevocationRequest) => void;
}) {
  const { component } = props;
  const open = component.requests.filter(r => !['verified', 'rejected', 'expired'].includes(r.state)).length;
  return (
    <InfoCard
      title={component.entityRef}
      subheader={
        <>
          {component.status === 'missing' ? <StatusWarning>{STATUS_TEXT.missing}</StatusWarning> : <StatusError>{STATUS_TEXT[component.status]}</StatusError>}
          {component.lifecycle ? ` · lifecycle ${component.lifecycle}` : ''}
          {component.owner ? ` · owner ${component.owner}` : ''}
          {` · ${component.requests.length} credential(s), ${open} still open`}
        </>
      }
    >
      {component.requests.length > 0 ? (
        <RevocationRequestTable
          title="Revocations"
          requests={component.requests}
          currentUserRef={props.currentUserRef}
          onChange={props.onChange}
        />
      ) : (
        <Typography variant="body2">No revocation requested for this Component.</Typography>
      )}
      {component.flags.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Shared credentials — not revoked, their owners were told</Typography>
          <List dense>
            {component.flags.map(f => (
              <ListItem key={f.identityId}>
                <ListItemText
                  primary={f.identityDisplayName ?? f.identityId}
                  secondary={`Still used by ${f.sharedWith.join(', ')}${f.owner ? ` · owner ${f.owner}` : ''}`}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      )}
    </InfoCard>
  );
}
