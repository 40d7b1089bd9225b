import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import type { IdentityDetails } from '@keyring/plugin-machine-identity-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { EntityLink } from './EntityLink';
import { ExpiryLabel } from './ExpiryLabel';
import { formatDate, formatDateTime } from './expiry';
import { formatHexFingerprint, toOpenSshFingerprint } from './fingerprint';
import { IdentityTypeIcon } from './IdentityTypeIcon';
import { ViolationChip } from './ViolationChip';
import { useIdentityWaivers } from '../Waivers/useIdentityWaivers';
import { ViolationWaiverAction } from '../Waivers/ViolationWaiverAction';
import { BreakableText } from './BreakableText';
import { credentialFacts } from './credentialFacts';
import { useTableStyles } from './tableStyles';
import {
  OWNERSHIP_RULE_LABELS,
  TYPE_LABELS,
  labelOf,
} from './labels';
import {
  ManagementChip,
  ReviewStatusLabel,
  SeverityLabel,
  StateLabel,
} from './StatusLabels';

const useStyles = makeStyles({
  /** The Backstage theme keeps list texts on one line; these lists wrap. */
  wrap: {
    whiteSpace: 'normal',
    overflow: 'visible',
    '& *': { whiteSpace: 'normal' },
  },
});

function Mono(props: { children: string; testId?: string }) {
  return (
    <Typography
      variant="body2"
      component="code"
      style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
      data-testid={props.testId}
    >
      {props.children}
    </Typography>
  );
}

/** The facts of one identity as metadata rows. */
function IdentityFacts(props: { identity: IdentityDetails }) {
  const { identity } = props;
  const openSsh =
    identity.type === 'ssh-key'
      ? toOpenSshFingerprint(identity.fingerprintSha256)
      : undefined;
  const key = [
    identity.sshKeyType ?? identity.keyAlgorithm,
    identity.keySize ? `${identity.keySize} bits` : undefined,
    identity.curve,
  ]
    .filter(Boolean)
    .join(' · ');
  const metadata: Record<string, unknown> = {
    Type: labelOf(TYPE_LABELS, identity.type),
    State: <StateLabel state={identity.state} />,
    'Fingerprint (SHA-256)': (
      <Mono testId="fingerprint-hex">
        {formatHexFingerprint(identity.fingerprintSha256)}
      </Mono>
    ),
    ...(openSsh
      ? { 'Fingerprint (OpenSSH)': <Mono testId="fingerprint-openssh">{openSsh}</Mono> }
      : {}),
    ...(identity.subject ? { Subject: identity.subject } : {}),
    ...(identity.issuer ? { Issuer: identity.issuer } : {}),
    ...(identity.serialNumber
      ? { 'Serial number': <Mono>{identity.serialNumber}</Mono> }
      : {}),
    ...(identity.comment ? { Comment: identity.comment } : {}),
    ...(key ? { Key: key } : {}),
    ...(identity.signatureAlgorithm
      ? { 'Signature algorithm': identity.signatureAlgorithm }
      : {}),
    ...(identity.notBefore || identity.notAfter
      ? {
          Validity: `${formatDate(identity.notBefore)} → ${formatDate(identity.notAfter)}`,
          'Expires': <ExpiryLabel notAfter={identity.notAfter} />,
        }
      : {}),
    ...credentialFacts(identity),
    Owner: <EntityLink entityRef={identity.owner} defaultKind="group" />,
    Component: (
      <EntityLink entityRef={identity.component} defaultKind="component" />
    ),
    'Ownership from': labelOf(OWNERSHIP_RULE_LABELS, identity.ownershipRule),
    Management: <ManagementChip management={identity.management} />,
    Review: <ReviewStatusLabel status={identity.reviewStatus} />,
    'First seen': formatDateTime(identity.firstSeen),
    'Last seen': formatDateTime(identity.lastSeen),
  };
  return <StructuredMetadataTable metadata={metadata} dense />;
}

/** Subject alternative names as chips. */
export function SansList(props: { sans?: string[] }) {
  if (!props.sans?.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No subject alternative names.
      </Typography>
    );
  }
  return (
    <Box display="flex" flexWrap="wrap" data-testid="identity-sans">
      {props.sans.map(san => (
        <Box key={san} mr={1} mb={1}>
          <Chip size="small" label={san} />
        </Box>
      ))}
    </Box>
  );
}

/** Issuing chain fingerprints, the leaf's issuer first. */
export function ChainList(props: { identity: IdentityDetails }) {
  const classes = useStyles();
  const chain = props.identity.chain ?? [];
  const flags = [
    props.identity.selfSigned ? 'self-signed' : undefined,
    props.identity.chainTrusted === true ? 'chain verifies to an approved CA' : undefined,
    props.identity.chainTrusted === false ? 'chain does not verify to an approved CA' : undefined,
    props.identity.publiclyTrusted ? 'publicly trusted' : undefined,
  ].filter(Boolean);
  return (
    <div data-testid="identity-chain">
      {flags.length > 0 && (
        <Typography variant="body2" gutterBottom>
          {flags.join(' · ')}
        </Typography>
      )}
      {chain.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No issuing chain recorded.
        </Typography>
      ) : (
        <List dense disablePadding>
          {chain.map((fingerprint, index) => (
            <ListItem key={`${index}-${fingerprint}`} disableGutters>
              <ListItemText
                className={classes.wrap}
                primary={<Mono>{formatHexFingerprint(fingerprint)}</Mono>}
                secondary={index === 0 ? 'Issuer' : `Issuer + ${index}`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </div>
  );
}

/** Where scans saw the identity. */
export function ObservationsTable(props: { identity: IdentityDetails }) {
  const classes = useTableStyles();
  const { observations } = props.identity;
  if (observations.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not observed by any source.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Observations" data-testid="identity-observations">
      <TableHead>
        <TableRow>
          <TableCell className={`${classes.header} ${classes.grow}`}>Location</TableCell>
          <TableCell className={classes.header}>Source</TableCell>
          <TableCell className={classes.header}>First seen</TableCell>
          <TableCell className={classes.header}>Last seen</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {observations.map(o => (
          <TableRow key={`${o.sourceId}|${o.location}`}>
            <TableCell className={classes.grow}>
              <BreakableText text={o.location} />
            </TableCell>
            <TableCell className={classes.nowrap}>{o.sourceId}</TableCell>
            <TableCell className={classes.nowrap}>{formatDateTime(o.firstSeen)}</TableCell>
            <TableCell className={classes.nowrap}>{formatDateTime(o.lastSeen)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Open violations with what to do about them, and a waiver request for each (owners only). */
export function ViolationsList(props: { identity: IdentityDetails }) {
  if (props.identity.violations.length === 0) {
    return (
      <Typography variant="body2" data-testid="identity-violations">
        No policy violations.
      </Typography>
    );
  }
  return <OpenViolations identity={props.identity} />;
}

function OpenViolations(props: { identity: IdentityDetails }) {
  const classes = useStyles();
  const { id, displayName, owner, violations } = props.identity;
  const waivers = useIdentityWaivers(id, owner);
  const order: Record<string, number> = { error: 0, warning: 1 };
  const sorted = [...violations].sort(
    (a, b) =>
      (order[a.severity] ?? 2) - (order[b.severity] ?? 2) ||
      a.ruleId.localeCompare(b.ruleId),
  );
  return (
    <List dense disablePadding data-testid="identity-violations">
      {sorted.map(v => (
        <ListItem
          key={v.ruleId}
          disableGutters
          alignItems="flex-start"
          data-testid="identity-violation"
          data-rule-id={v.ruleId}
          data-severity={v.severity}
        >
          <ListItemText
            className={classes.wrap}
            primary={
              <>
                <ViolationChip
                  ruleId={v.ruleId}
                  severity={v.severity}
                  message={v.message}
                  remediation={v.remediation}
                />{' '}
                <SeverityLabel severity={v.severity} /> {v.message}
              </>
            }
            secondary={
              <>
                <strong>Remediation:</strong> {v.remediation}
                <br />
                Detected {formatDateTime(v.firstDetected)}
              </>
            }
          />
          <ViolationWaiverAction
            identityId={id}
            identityName={displayName}
            ruleId={v.ruleId}
            open={waivers.open.get(v.ruleId)}
            canRequest={waivers.member}
            onRequested={() => waivers.reload()}
          />
        </ListItem>
      ))}
    </List>
  );
}

/** What happened to the identity, newest first. */
export function HistoryList(props: { identity: IdentityDetails }) {
  const classes = useStyles();
  const history = [...props.identity.history].sort((a, b) =>
    b.at.localeCompare(a.at),
  );
  if (history.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No history yet.
      </Typography>
    );
  }
  return (
    <List dense disablePadding data-testid="identity-history">
      {history.map((event, index) => (
        <ListItem key={`${event.at}-${index}`} disableGutters>
          <ListItemText
            className={classes.wrap}
            primary={`${event.action}: ${event.message}`}
            secondary={`${formatDateTime(event.at)}${event.actor ? ` · ${event.actor}` : ''}`}
          />
        </ListItem>
      ))}
    </List>
  );
}

/**
 * Everything known about one identity: facts, fingerprint, SANs, chain,
 * observations, violations with remediation, and history.
 */
export function IdentityDetailsPanel(props: {
  identity: IdentityDetails;
  /** Lay the sections out as cards on a page rather than stacked in a drawer. */
  layout?: 'drawer' | 'page';
}) {
  const { identity } = props;
  const wide = props.layout === 'page';
  const section = (title: string, body: JSX.Element, md: 6 | 12 = 12) => (
    <Grid item xs={12} md={wide ? md : 12}>
      <InfoCard title={title} noPadding={false}>
        {body}
      </InfoCard>
    </Grid>
  );
  return (
    <Grid container spacing={2} data-testid="identity-details">
      <Grid item xs={12}>
        <Box display="flex" alignItems="center">
          <IdentityTypeIcon type={identity.type} fontSize="large" />
          <Box ml={1}>
            <Typography variant="h5" component="h2">
              {identity.displayName}
            </Typography>
          </Box>
        </Box>
      </Grid>
      {section('Overview', <IdentityFacts identity={identity} />, 6)}
      {identity.type === 'tls-certificate' &&
        section(
          'Names and chain',
          <>
            <Typography variant="subtitle2">Subject alternative names</Typography>
            <SansList sans={identity.sans} />
            <Box mt={2}>
              <Typography variant="subtitle2">Chain</Typography>
              <ChainList identity={identity} />
            </Box>
          </>,
          6,
        )}
      {section(
        `Violations (${identity.violations.length})`,
        <ViolationsList identity={identity} />,
        6,
      )}
      {section(
        `Observations (${identity.observations.length})`,
        <ObservationsTable identity={identity} />,
      )}
      {section('History', <HistoryList identity={identity} />)}
    </Grid>
  );
}
