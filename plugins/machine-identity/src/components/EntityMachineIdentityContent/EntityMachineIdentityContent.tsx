import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import { useState } from 'react';
import { isMachineIdentityAvailable } from '../../isMachineIdentityAvailable';
import { IdentityTable } from '../IdentityTable/IdentityTable';
import type { IdentityFilters } from '../IdentityTable/filters';
import { MissingLinkAnnotationsEmptyState } from './MissingLinkAnnotationsEmptyState';

/**
 * The "Machine identities" tab of a Component or Group: every credential
 * linked to the entity, paginated and filtered by the server.
 *
 * @public
 */
export function EntityMachineIdentityContent(props: { pageSize?: number }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const [filters, setFilters] = useState<IdentityFilters>({});
  const isGroup = entity.kind.toLocaleLowerCase('en-US') === 'group';
  return (
    <Box data-testid="machine-identity-tab">
      <IdentityTable
        title={`Machine identities of ${entity.metadata.title ?? entity.metadata.name}`}
        scope={{ entityRef }}
        filters={filters}
        onFiltersChange={setFilters}
        pageSize={props.pageSize}
        hideOwner={isGroup}
        emptyState={
          <MissingLinkAnnotationsEmptyState
            entityName={entity.metadata.name}
            annotated={isMachineIdentityAvailable(entity)}
          />
        }
      />
    </Box>
  );
}
