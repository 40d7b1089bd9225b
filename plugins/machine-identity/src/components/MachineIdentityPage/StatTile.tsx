import { InfoCard, Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';

/** A headline number with a label, linking to the list it counts. */
export function StatTile(props: {
  label: string;
  value: string;
  to?: string;
  tone?: 'error' | 'warning';
  testId: string;
}) {
  const number = (
    <Typography
      variant="h3"
      component="p"
      color={props.tone === 'error' ? 'error' : 'textPrimary'}
      style={props.tone === 'warning' ? { color: '#f57c00' } : undefined}
    >
      {props.value}
    </Typography>
  );
  return (
    <InfoCard>
      <div data-testid={props.testId}>
        {props.to ? (
          <Link to={props.to} aria-label={`${props.value} ${props.label}`} underline="none">
            {number}
          </Link>
        ) : (
          number
        )}
        <Typography variant="body2" color="textSecondary">
          {props.label}
        </Typography>
      </div>
    </InfoCard>
  );
}
