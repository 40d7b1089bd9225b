import {
  EmptyState,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  MachineIdentitySummary,
  machineIdentityApiRef,
} from '../../api/MachineIdentityApi';
import { useTableStyles } from '../shared/tableStyles';

const SAMPLE = 500;

/** A rule with how often it is violated. */
interface RuleCount {
  ruleId: string;
  count: number;
  description?: string;
}

/**
 * The rules violated most often, each linking to its violations. Counts come
 * from the summary's `byRule`, else (an older backend) from the latest
 * violations.
 */
export function TopViolatedRules(props: {
  summary: MachineIdentitySummary;
  limit?: number;
}) {
  const api = useApi(machineIdentityApiRef);
  const classes = useTableStyles();
  const limit = props.limit ?? 8;
  const { value, loading, error } = useAsync(async () => {
    const rules = await api.getPolicy().catch(() => []);
    const descriptions = new Map(rules.map(r => [r.id, r.description]));
    let counts: Record<string, number> | undefined = props.summary.byRule;
    let sampled = false;
    if (!counts) {
      const page = await api.listViolations({ limit: SAMPLE });
      counts = {};
      for (const v of page.items) {
        counts[v.ruleId] = (counts[v.ruleId] ?? 0) + 1;
      }
      sampled = !!page.nextCursor;
    }
    const top: RuleCount[] = Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(([ruleId, count]) => ({
        ruleId,
        count,
        description: descriptions.get(ruleId),
      }))
      .sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId))
      .slice(0, limit);
    return { top, sampled };
  }, [api, props.summary, limit]);

  if (loading) {
    return <Progress />;
  }
  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value || value.top.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No violations"
        description="Every identity complies with the policy."
      />
    );
  }
  return (
    <>
      <Table size="small" aria-label="Top violated rules" data-testid="top-violated-rules">
        <TableHead>
          <TableRow>
            <TableCell className={classes.header}>Rule</TableCell>
            <TableCell align="right" className={classes.header}>Violations</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.top.map(rule => (
            <TableRow key={rule.ruleId} data-testid="top-violated-rule" data-rule-id={rule.ruleId}>
              <TableCell className={classes.grow}>
                <code>{rule.ruleId}</code>
                {rule.description && (
                  <Typography variant="caption" color="textSecondary" display="block">
                    {rule.description}
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right" className={classes.nowrap}>
                <Link
                  to={`?ruleId=${encodeURIComponent(rule.ruleId)}`}
                  aria-label={`${rule.count} violations of ${rule.ruleId}`}
                >
                  {rule.count.toLocaleString('en-US')}
                </Link>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {value.sampled && (
        <Typography variant="caption" color="textSecondary">
          Counted over the latest {SAMPLE} violations.
        </Typography>
      )}
    </>
  );
}
