import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import {
  ViolationListItem,
  machineIdentityApiRef,
} from '../../api/MachineIdentityApi';

/** The most violations one entity's table fetches to show rule chips. */
const LIMIT = 500;

/**
 * The open violations of one entity's identities, grouped by identity, in a
 * single request (`GET /violations?entityRef=`), so the table can show each
 * row's rules without a request per row. Undefined without an entity or
 * while loading; a failure leaves the table on violation counts.
 */
export function useScopeViolations(
  entityRef: string | undefined,
): Map<string, ViolationListItem[]> | undefined {
  const api = useApi(machineIdentityApiRef);
  const { value } = useAsync(async () => {
    if (!entityRef) {
      return undefined;
    }
    const page = await api
      .listViolations({ entityRef, limit: LIMIT })
      .catch(() => undefined);
    if (!page) {
      return undefined;
    }
    const byIdentity = new Map<string, ViolationListItem[]>();
    for (const violation of page.items) {
      const list = byIdentity.get(violation.identityId) ?? [];
      list.push(violation);
      byIdentity.set(violation.identityId, list);
    }
    return byIdentity;
  }, [api, entityRef]);
  return value;
}
