import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { EntityMachineIdentityScorecardCard } from './EntityMachineIdentityScorecardCard';
import { EvidenceExportButton } from './EvidenceExportButton';
import { GroupComponentsScorecard } from './GroupComponentsScorecard';

/**
 * The "Scorecard" tab of a Group: its own machine identity scorecard, its
 * Components ranked worst first, and the evidence export for its identities.
 *
 * @public
 */
export function EntityMachineIdentityScorecardContent() {
  const { entity } = useEntity();
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <EntityMachineIdentityScorecardCard />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Compliance evidence" subheader="Inventory, owners, violations, waivers, reviews, revocations and audit trail of this Group">
          <EvidenceExportButton owner={stringifyEntityRef(entity)} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <GroupComponentsScorecard />
      </Grid>
    </Grid>
  );
}
