import { StatusOK } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ViolationChip } from '../shared/ViolationChip';

const useStyles = makeStyles(theme => {
  const status = (theme.palette as { status?: Record<string, string> }).status;
  const error = status?.error ?? theme.palette.error.main;
  return {
    count: { color: error, borderColor: error, whiteSpace: 'nowrap' },
    chips: { display: 'flex', flexWrap: 'wrap', maxWidth: 280 },
  };
});

/** A rule an identity breaks, as the list (`openRules`) or the violations API gives it. */
export interface BrokenRule {
  ruleId: string;
  severity: string;
  message?: string;
  remediation?: string;
}

/**
 * The policy column: "Compliant", the violated rules as severity chips
 * (rule id visible, message under it) when they are known, or else the
 * number of violations as a chip that expands the row to show them.
 */
export function PolicyCell(props: {
  violationCount: number;
  /** The identity's open violations, when loaded for the whole table. */
  violations?: BrokenRule[];
  /** Shows the row's details (where the rules are listed). */
  onShowDetails: () => void;
}) {
  const classes = useStyles();
  const { violationCount, violations } = props;
  if (violationCount === 0) {
    return (
      <Box whiteSpace="nowrap" component="span">
        <StatusOK>Compliant</StatusOK>
      </Box>
    );
  }
  if (violations && violations.length > 0 && violations.length >= violationCount) {
    const sorted = [...violations].sort((a, b) =>
      a.ruleId.localeCompare(b.ruleId),
    );
    const headline = (sorted.find(v => v.severity === 'error') ?? sorted[0]).message;
    return (
      <div className={classes.chips} data-testid="policy-rule-chips">
        {sorted.map(v => (
          <ViolationChip
            key={v.ruleId}
            ruleId={v.ruleId}
            severity={v.severity}
            message={v.message}
            remediation={v.remediation}
          />
        ))}
        {headline && (
          <Typography variant="caption" color="textSecondary" display="block" data-testid="policy-rule-message">
            {headline.length > 90 ? `${headline.slice(0, 89)}…` : headline}
          </Typography>
        )}
      </div>
    );
  }
  return (
    <Tooltip title="Show the violated rules">
      <Chip
        size="small"
        variant="outlined"
        clickable
        className={classes.count}
        label={`${violationCount} violation${violationCount === 1 ? '' : 's'}`}
        onClick={props.onShowDetails}
        data-testid="policy-violation-count"
      />
    </Tooltip>
  );
}
