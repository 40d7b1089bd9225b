import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { ScorecardList } from './ScorecardList';
import { TechInsightsUnavailableError } from './TechInsightsChecksClient';
import { useScorecard } from './useScorecard';

/** Shown where the backend runs no Tech Insights (or none of Keyring's checks). */
export function TechInsightsMissing(props: { reason: string }) {
  return (
    <Typography variant="body2" color="textSecondary" data-testid="scorecard-unavailable">
      {props.reason} Add the Tech Insights backend with
      @keyring/plugin-tech-insights-backend-module-machine-identity to score machine identities.
    </Typography>
  );
}

/**
 * The machine identity scorecard of a Component or Group: Keyring's checks
 * from Tech Insights, pass/fail with the reason and links to the failing
 * identities.
 *
 * @public
 */
export function EntityMachineIdentityScorecardCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const entityRoute = useRouteRef(entityRouteRef);
  const { kind, namespace, name } = getCompoundEntityRef(entity);
  // lower-case kind, as EntityRefLink builds entity routes
  const identitiesPath = `${entityRoute({ kind: kind.toLocaleLowerCase('en-US'), namespace, name })}/machine-identities`;
  const { value, loading, error } = useScorecard(entityRef);
  const passed = value?.filter(r => r.status === 'pass').length ?? 0;
  const subheader = value?.length ? `${passed} of ${value.length} checks passed` : undefined;
  let content;
  if (loading) content = <Progress />;
  else if (error instanceof TechInsightsUnavailableError) content = <TechInsightsMissing reason="Tech Insights is not available." />;
  else if (error) content = <ResponseErrorPanel error={error} />;
  else if (!value?.length) content = <TechInsightsMissing reason="Tech Insights has none of Keyring's checks." />;
  else {
    content = (
      <ScorecardList rows={value} identitiesPath={identitiesPath} />
    );
  }
  return (
    <InfoCard title="Machine identity scorecard" subheader={subheader}>
      {content}
    </InfoCard>
  );
}
