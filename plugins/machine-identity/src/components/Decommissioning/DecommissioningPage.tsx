import { Content, EmptyState, Header, Page, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { RetiredComponent, RevocationRequest } from '@keyring/plugin-machine-identity-common';
import Grid from '@material-ui/core/Grid';
import { useCallback, useEffect, useState } from 'react';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';
import { RetiredComponentCard } from './RetiredComponentCard';
import { RevocationRequestTable } from './RevocationRequestTable';
import { useCurrentUserRef } from './useCurrentUserRef';

interface PageData {
  components: RetiredComponent[];
  /** Requests not tied to a retired Component (manual or review requests). */
  awaiting: RevocationRequest[];
}

/**
 * The Decommissioning page for platform engineers: Components retired in
 * the catalog, their credentials and the state of each revocation, with
 * approve/reject for requests awaiting a second person.
 *
 * @public
 */
export function DecommissioningPage() {
  const api = useApi(machineIdentityApiRef);
  const currentUserRef = useCurrentUserRef();
  const [data, setData] = useState<PageData>();
  const [error, setError] = useState<Error>();

  const load = useCallback(async () => {
    try {
      const [components, awaiting] = await Promise.all([
        api.listDecommissionedComponents(),
        api.listRevocations({ state: 'requested', limit: 200 }),
      ]);
      const inCards = new Set(components.flatMap(c => c.requests.map(r => r.id)));
      setData({ components, awaiting: awaiting.items.filter(r => !inCards.has(r.id)) });
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    }
  }, [api]);
  useEffect(() => {
    load();
  }, [load]);
  const onChange = useCallback(() => {
    load();
  }, [load]);

  let body;
  if (error) body = <ResponseErrorPanel error={error} />;
  else if (!data) body = <Progress />;
  else if (data.components.length === 0 && data.awaiting.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="Nothing to decommission"
        description="No Component is decommissioned or gone from the catalog, and no revocation awaits approval."
      />
    );
  } else {
    body = (
      <Grid container spacing={3}>
        {data.awaiting.length > 0 && (
          <Grid item xs={12}>
            <RevocationRequestTable
              title={`Other revocations awaiting approval (${data.awaiting.length})`}
              requests={data.awaiting}
              currentUserRef={currentUserRef}
              onChange={onChange}
            />
          </Grid>
        )}
        {data.components.map(c => (
          <Grid item xs={12} key={c.entityRef}>
            <RetiredComponentCard component={c} currentUserRef={currentUserRef} onChange={onChange} />
          </Grid>
        ))}
      </Grid>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Decommissioning" subtitle="Retired Components, their credentials and each revocation" />
      <Content>{body}</Content>
    </Page>
  );
}
