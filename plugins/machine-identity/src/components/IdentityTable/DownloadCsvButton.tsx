import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { IdentityQuery, machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { downloadIdentitiesCsv } from './identitiesCsv';

/**
 * "Download CSV" of every identity matching the current filter (not only the
 * loaded rows): pages through the API, then saves the file.
 */
export function DownloadCsvButton(props: {
  query: Omit<IdentityQuery, 'cursor' | 'limit'>;
  fileName?: string;
}) {
  const api = useApi(machineIdentityApiRef);
  const [progress, setProgress] = useState<string>();
  const [error, setError] = useState<string>();

  const download = async () => {
    setError(undefined);
    setProgress('Preparing…');
    try {
      const blob = await downloadIdentitiesCsv(api, props.query, {
        onProgress: (rows, total) =>
          setProgress(`${rows.toLocaleString('en-US')}${total !== undefined ? ` of ${total.toLocaleString('en-US')}` : ''} rows…`),
      });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = props.fileName ?? 'machine-identities.csv';
      document.body.appendChild(link);
      link.click();
      link.remove();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError(`Download failed: ${(e as Error).message}`);
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <>
      <Button
        size="small"
        variant="outlined"
        startIcon={<GetAppIcon />}
        onClick={download}
        disabled={progress !== undefined}
        data-testid="machine-identity-download-csv"
      >
        {progress ?? 'Download CSV'}
      </Button>
      {error && (
        <Typography variant="caption" color="error" role="alert">
          {error}
        </Typography>
      )}
    </>
  );
}
