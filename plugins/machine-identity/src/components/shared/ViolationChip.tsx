import type { Severity } from '@keyring/plugin-machine-identity-common';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { darken, lighten, makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => {
  const status = (theme.palette as { status?: Record<string, string> }).status;
  const colour = (name: 'error' | 'warning' | 'info') =>
    status?.[name] ??
    (name === 'info' ? theme.palette.text.secondary : theme.palette[name].main);
  // The status reds and oranges as small text are below 4.5:1 (WCAG AA) on the
  // paper: the text is darkened (lightened on dark themes); the border keeps the colour.
  const text = (name: 'error' | 'warning' | 'info') => {
    if (name === 'info') return colour(name);
    return theme.palette.type === 'dark' ? lighten(colour(name), 0.5) : darken(colour(name), 0.45);
  };
  const chip = (name: 'error' | 'warning' | 'info') => ({
    color: text(name),
    borderColor: colour(name),
  });
  return {
    chip: {
      fontFamily: 'monospace',
      maxWidth: '100%',
      margin: theme.spacing(0.25, 0.5, 0.25, 0),
    },
    error: chip('error'),
    warning: chip('warning'),
    info: chip('info'),
  };
});

/** Props of {@link ViolationChip}. */
export interface ViolationChipProps {
  ruleId: string;
  severity: Severity | string;
  /** The violation's human message, shown as the chip's tooltip. */
  message?: string;
  /** What to do about it, added to the tooltip. */
  remediation?: string;
}

/**
 * A violated rule as a small chip in its severity colour; hovering or
 * focusing it shows the violation's message and remediation.
 */
export function ViolationChip(props: ViolationChipProps) {
  const classes = useStyles();
  const severity = ['error', 'warning'].includes(props.severity)
    ? (props.severity as 'error' | 'warning')
    : 'info';
  const title = [props.message, props.remediation && `Remediation: ${props.remediation}`]
    .filter(Boolean)
    .join(' — ');
  const chip = (
    <Chip
      size="small"
      variant="outlined"
      label={props.ruleId}
      className={`${classes.chip} ${classes[severity]}`}
      tabIndex={title ? 0 : undefined}
      aria-label={`${props.ruleId} (${severity})${props.message ? `: ${props.message}` : ''}`}
      data-testid="violation-chip"
      data-rule-id={props.ruleId}
      data-severity={severity}
    />
  );
  return title ? (
    <Tooltip title={title} arrow>
      {chip}
    </Tooltip>
  ) : (
    chip
  );
}
