import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/**
 * Whether the signed-in user belongs to `groupRef` (their ownership refs):
 * non-members see the campaign without the attest controls. The backend
 * checks the same on every decision.
 */
export function useIsMember(groupRef: string): boolean {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return identity.ownershipEntityRefs.map(r => r.toLowerCase()).includes(groupRef);
  }, [identityApi, groupRef]);
  return value ?? false;
}
