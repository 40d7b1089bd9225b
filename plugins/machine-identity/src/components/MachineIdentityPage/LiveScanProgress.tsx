import {
  type ScanProgressSignal,
  type ScanRun,
  scanProgressChannel,
} from '@keyring/plugin-machine-identity-common';
import { useSignal } from '@backstage/plugin-signals-react';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef } from 'react';

/** How often the sources are re-read while a run goes on and the app has no signals. */
const POLL_MS = 2000;

/**
 * The progress of a source's running scan as a bar with done/total: pushed
 * by the backend's signals (`machine-identity:scan:<sourceId>`) when the app
 * has the signals plugin, otherwise read from the run record, polled every
 * 2 s. Calls `onChange` when a run the table does not show yet starts or
 * ends, so the row's status and counts follow.
 */
export function LiveScanProgress(props: { sourceId: string; run?: ScanRun; onChange: () => void }) {
  const { sourceId, run, onChange } = props;
  const { lastSignal, isSignalsAvailable } = useSignal<ScanProgressSignal>(scanProgressChannel(sourceId));
  const running = run?.status === 'running';

  const latestOnChange = useRef(onChange);
  latestOnChange.current = onChange;

  // A signal about another run, or the end of the shown one: re-read the sources (once per such signal).
  const stale =
    lastSignal && (lastSignal.scanId !== run?.id || lastSignal.status !== run?.status)
      ? `${lastSignal.scanId}:${lastSignal.status}`
      : undefined;
  useEffect(() => {
    if (stale) latestOnChange.current();
  }, [stale]);
  useEffect(() => {
    if (isSignalsAvailable || !running) return undefined;
    const timer = setInterval(() => latestOnChange.current(), POLL_MS);
    return () => clearInterval(timer);
  }, [isSignalsAvailable, running]);

  const live = lastSignal?.status === 'running' && (!run || lastSignal.scanId === run.id || !running) ? lastSignal : undefined;
  const progress = live ?? (running ? run?.progress : undefined);
  if (!progress) return null;
  const { done, total } = progress;
  const label = total ? `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} done` : `${done.toLocaleString('en-US')} done`;
  return (
    <div data-testid="scan-progress" data-done={done} data-total={total ?? ''}>
      <LinearProgress
        variant={total ? 'determinate' : 'indeterminate'}
        value={total ? Math.min(100, (100 * done) / total) : undefined}
        aria-label={`Scan of ${sourceId}: ${label}`}
      />
      <Typography variant="caption" display="block" color="textSecondary">
        {label}
      </Typography>
    </div>
  );
}
