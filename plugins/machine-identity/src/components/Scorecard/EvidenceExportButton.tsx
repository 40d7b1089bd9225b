import { discoveryApiRef, fetchApiRef, useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

type Progress = { rows: number; total?: number } | undefined;

/**
 * Downloads `GET /evidence` for a period (and the given owner), reading the
 * streamed response so large exports show progress: rows received of the
 * `X-Evidence-Rows` announced.
 *
 * @public
 */
export function EvidenceExportButton(props: { owner?: string }) {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 90 * DAY_MS)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [progress, setProgress] = useState<Progress>();
  const [error, setError] = useState<string>();

  const exportEvidence = async () => {
    setError(undefined);
    setProgress({ rows: 0 });
    try {
      const params = new URLSearchParams({ from: `${from}T00:00:00.000Z`, to: `${to}T23:59:59.999Z`, format });
      if (props.owner) params.set('owner', props.owner);
      const baseUrl = await discoveryApi.getBaseUrl('machine-identity');
      const response = await fetchApi.fetch(`${baseUrl}/evidence?${params}`);
      if (!response.ok) throw await ResponseError.fromResponse(response);
      const total = Number(response.headers.get('X-Evidence-Rows') ?? '') || undefined;
      const parts: Uint8Array[] = [];
      let rows = 0;
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        for (const byte of value) if (byte === 10) rows++;
        setProgress({ rows, total });
      }
      const blob = new Blob(parts as BlobPart[], { type: format === 'csv' ? 'text/csv' : 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `keyring-evidence-${from}_${to}${props.owner ? `-${props.owner.split('/').pop()}` : ''}.${format}`;
      link.click();
      URL.revokeObjectURL(url);
      setProgress(undefined);
    } catch (e) {
      setProgress(undefined);
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const busy = progress !== undefined;
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 8 }} data-testid="evidence-export">
      <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }}>
        <TextField id="evidence-export-from" size="small" type="date" label="From" value={from} onChange={e => setFrom(e.target.value)} InputLabelProps={{ shrink: true }} />
        <TextField id="evidence-export-to" size="small" type="date" label="To" value={to} onChange={e => setTo(e.target.value)} InputLabelProps={{ shrink: true }} />
        <TextField size="small" select label="Format" value={format} onChange={e => setFormat(e.target.value as 'csv' | 'json')}>
          <MenuItem value="csv">CSV</MenuItem>
          <MenuItem value="json">JSON</MenuItem>
        </TextField>
        <Button variant="outlined" color="primary" disabled={busy} onClick={exportEvidence}>
          Export evidence
        </Button>
      </Box>
      {busy && (
        <Box data-testid="evidence-progress">
          <LinearProgress
            variant={progress.total ? 'determinate' : 'indeterminate'}
            value={progress.total ? Math.min(100, (100 * progress.rows) / progress.total) : undefined}
          />
          <Typography variant="caption">
            {progress.rows.toLocaleString('en-US')}
            {progress.total ? ` of ${progress.total.toLocaleString('en-US')}` : ''} rows received
          </Typography>
        </Box>
      )}
      {error && (
        <Typography variant="body2" color="error" role="alert">
          Export failed: {error}
        </Typography>
      )}
    </Box>
  );
}
