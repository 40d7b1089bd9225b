import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { expiryStatus, formatDate, formatExpiry } from './expiry';

/**
 * "Expires in" with the colour of its urgency: red when expired or within 7
 * days, orange within 30 days, green otherwise.
 */
export function ExpiryLabel(props: { notAfter?: string; now?: Date }) {
  const now = props.now ?? new Date();
  const status = expiryStatus(props.notAfter, now);
  const text = formatExpiry(props.notAfter, now);
  const title = props.notAfter ? `Expires ${formatDate(props.notAfter)}` : 'Does not expire';
  const content = (
    <span title={title} data-testid="expiry-label" data-expiry-status={status}>
      {text}
    </span>
  );
  switch (status) {
    case 'expired':
    case 'critical':
      return <StatusError>{content}</StatusError>;
    case 'warning':
      return <StatusWarning>{content}</StatusWarning>;
    case 'ok':
      return <StatusOK>{content}</StatusOK>;
    default:
      return (
        <Typography variant="body2" color="textSecondary" component="span">
          {content}
        </Typography>
      );
  }
}
