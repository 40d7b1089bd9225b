import { Grid } from '@material-ui/core';
import { Entity, RELATION_DEPENDS_ON, RELATION_OWNER_OF } from '@backstage/catalog-model';
import {
  EntityAboutCard,
  EntityDependsOnComponentsCard,
  EntityHasSubcomponentsCard,
  EntityLayout,
  EntityLinksCard,
  EntityOrphanWarning,
  EntityProcessingErrorsPanel,
  EntityRelationWarning,
  EntitySwitch,
  RelatedEntitiesCard,
  hasCatalogProcessingErrors,
  hasRelationWarnings,
  isKind,
  isOrphan,
} from '@backstage/plugin-catalog';
import { EntityTable } from '@backstage/plugin-catalog-react';
import { EntityCatalogGraphCard } from '@backstage/plugin-catalog-graph';
import {
  EntityGroupProfileCard,
  EntityMembersListCard,
  EntityOwnershipCard,
  EntityUserProfileCard,
} from '@backstage/plugin-org';
import {
  EntityDecommissionedWarning,
  EntityMachineIdentityContent,
  EntityMachineIdentityDetailsContent,
  EntityRevocationsCard,
  EntityMachineIdentityOverviewCard,
  EntityMachineIdentityScorecardCard,
  EntityMachineIdentityScorecardContent,
  isMachineIdentityAvailable,
  EntityOwnershipReviewContent,
} from '@keyring/plugin-machine-identity';

const machineIdentityColumns = [
  EntityTable.columns.createEntityRefColumn<Entity>({ defaultKind: 'MachineIdentity' }),
  EntityTable.columns.createOwnerColumn<Entity>(),
  EntityTable.columns.createSpecTypeColumn<Entity>(),
  EntityTable.columns.createMetadataDescriptionColumn<Entity>(),
];

const relatedMachineIdentities = (relationType: string, title: string) => (
  <RelatedEntitiesCard
   
    title={title}
    entityKind="MachineIdentity"
    relationType={relationType}
    columns={machineIdentityColumns}
    emptyMessage="No machine identities are linked in the catalog yet"
    emptyHelpLink="https://github.com/keyring-dev/keyring#linking-identities"
    asRenderableEntities={entities => entities}
  />
);

const entityWarningContent = (
  <>
    <EntitySwitch>
      <EntitySwitch.Case if={isOrphan}>
        <Grid item xs={12}>
          <EntityOrphanWarning />
        </Grid>
      </EntitySwitch.Case>
    </EntitySwitch>
    <EntitySwitch>
      <EntitySwitch.Case if={hasRelationWarnings}>
        <Grid item xs={12}>
          <EntityRelationWarning />
        </Grid>
      </EntitySwitch.Case>
    </EntitySwitch>
    <EntitySwitch>
      <EntitySwitch.Case if={hasCatalogProcessingErrors}>
        <Grid item xs={12}>
          <EntityProcessingErrorsPanel />
        </Grid>
      </EntitySwitch.Case>
    </EntitySwitch>
  </>
);

/** Retired Components (the backend's `machineIdentity.revocation.lifecycles` default). */
const isDecommissioned = (entity: Entity) => (entity.spec as { lifecycle?: unknown } | undefined)?.lifecycle === 'decommissioned';

const componentPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      <Grid container spacing={3} alignItems="stretch">
        {entityWarningContent}
        <EntitySwitch>
          <EntitySwitch.Case if={isDecommissioned}>
            <Grid item xs={12}>
              <EntityDecommissionedWarning />
            </Grid>
          </EntitySwitch.Case>
        </EntitySwitch>
        <Grid item md={6}>
          <EntityAboutCard />
        </Grid>
        <Grid item md={6} xs={12}>
          <EntityCatalogGraphCard height={400} />
        </Grid>
        <EntitySwitch>
          <EntitySwitch.Case if={isMachineIdentityAvailable}>
            <Grid item md={6} xs={12}>
              <EntityMachineIdentityOverviewCard />
            </Grid>
            <Grid item md={6} xs={12}>
              <EntityMachineIdentityScorecardCard />
            </Grid>
          </EntitySwitch.Case>
        </EntitySwitch>
        <Grid item md={6} xs={12}>
          <EntityLinksCard />
        </Grid>
        <Grid item md={8} xs={12}>
          <EntityHasSubcomponentsCard />
        </Grid>
      </Grid>
    </EntityLayout.Route>

    <EntityLayout.Route path="/machine-identities" title="Machine identities">
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <EntityMachineIdentityContent />
        </Grid>
        <Grid item xs={12}>
          <EntityRevocationsCard />
        </Grid>
      </Grid>
    </EntityLayout.Route>

    <EntityLayout.Route path="/dependencies" title="Dependencies">
      <Grid container spacing={3} alignItems="stretch">
        <Grid item md={6}>
          <EntityDependsOnComponentsCard />
        </Grid>
        <Grid item md={6}>
          {relatedMachineIdentities(RELATION_DEPENDS_ON, 'Depends on machine identities')}
        </Grid>
      </Grid>
    </EntityLayout.Route>
  </EntityLayout>
);

const groupPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      <Grid container spacing={3}>
        {entityWarningContent}
        <Grid item xs={12} md={6}>
          <EntityGroupProfileCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <EntityOwnershipCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <EntityMachineIdentityScorecardCard />
        </Grid>
        <Grid item xs={12}>
          <EntityMembersListCard />
        </Grid>
        <Grid item xs={12}>
          {relatedMachineIdentities(RELATION_OWNER_OF, 'Owned machine identities')}
        </Grid>
      </Grid>
    </EntityLayout.Route>
    <EntityLayout.Route path="/machine-identities" title="Machine identities">
      <EntityMachineIdentityContent />
    </EntityLayout.Route>
    <EntityLayout.Route path="/machine-identity-scorecard" title="Scorecard">
      <EntityMachineIdentityScorecardContent />
    </EntityLayout.Route>
    <EntityLayout.Route path="/ownership-review" title="Ownership review">
      <EntityOwnershipReviewContent />
    </EntityLayout.Route>
  </EntityLayout>
);

const userPage = (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      <Grid container spacing={3}>
        {entityWarningContent}
        <Grid item xs={12} md={6}>
          <EntityUserProfileCard />
        </Grid>
        <Grid item xs={12} md={6}>
          <EntityOwnershipCard />
        </Grid>
      </Grid>
    </EntityLayout.Route>
  </EntityLayout>
);

/** An overview tab: warnings, optional content on top, then the about card and the relations graph. */
const overviewPage = (top?: JSX.Element) => (
  <EntityLayout>
    <EntityLayout.Route path="/" title="Overview">
      <Grid container spacing={3}>
        {entityWarningContent}
        {top && (
          <Grid item xs={12}>
            {top}
          </Grid>
        )}
        <Grid item md={6} xs={12}>
          <EntityAboutCard />
        </Grid>
        <Grid item md={6} xs={12}>
          <EntityCatalogGraphCard height={400} />
        </Grid>
      </Grid>
    </EntityLayout.Route>
  </EntityLayout>
);

const machineIdentityPage = overviewPage(
  <>
    <EntityMachineIdentityDetailsContent />
    <EntityRevocationsCard />
  </>,
);

const defaultPage = overviewPage();

/** Entity pages by kind: Components and Groups get Keyring's tab. */
export const entityPage = (
  <EntitySwitch>
    <EntitySwitch.Case if={isKind('component')} children={componentPage} />
    <EntitySwitch.Case if={isKind('group')} children={groupPage} />
    <EntitySwitch.Case if={isKind('user')} children={userPage} />
    <EntitySwitch.Case if={isKind('machineidentity')} children={machineIdentityPage} />
    <EntitySwitch.Case>{defaultPage}</EntitySwitch.Case>
  </EntitySwitch>
);
