import { InfoCard, Link } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { darken, lighten, makeStyles } from '@material-ui/core/styles';

// Large text needs 3:1 (WCAG AA) on the card: the error red as it is on light
// themes, lightened on dark ones; the orange darkened on light themes.
const useStyles = makeStyles(theme => {
  const dark = theme.palette.type === 'dark';
  return {
    error: { color: dark ? lighten(theme.palette.error.main, 0.3) : theme.palette.error.main },
    warning: { color: dark ? theme.palette.warning.main : darken(theme.palette.warning.main, 0.25) },
  };
});

/** A headline number with a label, linking to the list it counts. */
export function StatTile(props: {
  label: string;
  value: string;
  to?: string;
  tone?: 'error' | 'warning';
  testId: string;
}) {
  const classes = useStyles();
  const number = (
    <Typography
      variant="h3"
      component="p"
      color={props.tone ? undefined : 'textPrimary'}
      className={props.tone ? classes[props.tone] : undefined}
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
