import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';

/** The signed-in user's entity ref, lower-case (undefined while loading). */
export function useCurrentUserRef(): string | undefined {
  const identityApi = useApi(identityApiRef);
  const { value } = useAsync(async () => (await identityApi.getBackstageIdentity()).userEntityRef.toLowerCase(), [identityApi]);
  return value;
}
