import { stringifyEntityRef } from '@backstage/catalog-model';
import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { machineIdentityApiRef } from '../../api/MachineIdentityApi';

const LIVE = ['active', 'pending-revocation'];

/**
 * Says plainly on a Component's page when it is retired (its
 * `spec.lifecycle` is one of `lifecycles`) while credentials linked to it
 * are still live, and how many revocations are still open. Renders nothing
 * for live Components or retired ones with no live credentials.
 *
 * @public
 */
export function EntityDecommissionedWarning(props: { lifecycles?: string[] }) {
  const { entity } = useEntity();
  const api = useApi(machineIdentityApiRef);
  const lifecycle = (entity.spec as { lifecycle?: unknown } | undefined)?.lifecycle;
  const retired = typeof lifecycle === 'string' && (props.lifecycles ?? ['decommissioned']).includes(lifecycle);
  const entityRef = stringifyEntityRef(entity).toLowerCase();
  const { value } = useAsync(async () => {
    if (!retired) return undefined;
    const [identities, revocations] = await Promise.all([
      api.listIdentities({ entityRef, limit: 500 }),
      api.listRevocations({ entityRef, limit: 500 }),
    ]);
    const live = identities.items.filter(i => LIVE.includes(i.state)).length;
    const open = revocations.items.filter(r => ['requested', 'approved', 'executing', 'executed', 'manual'].includes(r.state)).length;
    return { live, open };
  }, [api, entityRef, retired]);

  if (!retired || !value || value.live === 0) return null;
  const name = entity.metadata.title ?? entity.metadata.name;
  return (
    <WarningPanel severity="error" title={`${name} is ${lifecycle} but still has ${value.live} live credential${value.live === 1 ? '' : 's'}`} defaultExpanded>
      <Typography variant="body2">
        {value.open > 0
          ? `${value.open} revocation${value.open === 1 ? ' is' : 's are'} open: they need approval by a second person, a manual revocation or a re-scan. See the Decommissioning page.`
          : 'No revocation is open for them yet: request their revocation, or check whether another Component still uses them.'}
      </Typography>
    </WarningPanel>
  );
}
