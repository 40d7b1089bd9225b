import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import { isMachineIdentityAvailable } from '../../isMachineIdentityAvailable';
import { IdentityTable } from '../IdentityTable/IdentityTable';
import { useFiltersInUrl } from '../IdentityTable/useFiltersInUrl';
import { MissingLinkAnnotationsEmptyState } from './MissingLinkAnnotationsEmptyState';

/**
 * The "Machine identities" tab of a Component or Group: every credential
 * linked to the entity, most urgent first, paginated and filtered by the
 * server; the filters live in the URL query.
 *
 * @public
 */
export function EntityMachineIdentityContent(props: { pageSize?: number }) {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  // In the URL query, so a link to the tab reproduces the filtered view.
  const [filters, setFilters] = useFiltersInUrl();
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
