import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

/** One row of a breakdown: a label, its count, and where the count links. */
export interface BreakdownItem {
  key: string;
  label: string;
  icon?: ReactNode;
  count: number;
  /** The filtered list this count links to; plain text when absent. */
  to?: string;
}

/** Counts as horizontal bars relative to the total, each count a link. */
export function BreakdownBars(props: {
  items: BreakdownItem[];
  total: number;
  testId: string;
}) {
  const total = Math.max(1, props.total);
  return (
    <Box data-testid={props.testId}>
      {props.items.map(item => (
        <Box key={item.key} mb={1.5} data-testid={`${props.testId}-${item.key}`}>
          <Box display="flex" alignItems="center" justifyContent="space-between">
            <Box display="flex" alignItems="center" style={{ gap: 6 }}>
              {item.icon}
              <Typography variant="body2">{item.label}</Typography>
            </Box>
            <Typography variant="body2" component="span">
              {item.to ? (
                <Link to={item.to} aria-label={`${item.count} ${item.label}`}>
                  {item.count.toLocaleString('en-US')}
                </Link>
              ) : (
                item.count.toLocaleString('en-US')
              )}
            </Typography>
          </Box>
          <LinearProgress
            variant="determinate"
            value={(item.count / total) * 100}
            aria-hidden
          />
        </Box>
      ))}
    </Box>
  );
}
