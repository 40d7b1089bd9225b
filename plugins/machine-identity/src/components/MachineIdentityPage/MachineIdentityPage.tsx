import { Content, Header, InfoCard, Page } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { IdentityTable } from '../IdentityTable/IdentityTable';
import {
  IdentityFilters,
  filtersFromSearchParams,
  filtersToSearchParams,
} from '../IdentityTable/filters';
import { EvidenceExportButton } from '../Scorecard/EvidenceExportButton';
import { MachineIdentityOverview } from './MachineIdentityOverview';
import { ViolationTable } from './ViolationTable';

const NO_SCOPE = {};

/**
 * The list part of the overview page; its filters live in the URL query so
 * every number on the page can link to it.
 */
export function MachineIdentityList() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearchParams(params), [params]);
  const ruleId = params.get('ruleId');
  const onFiltersChange = useCallback(
    (next: IdentityFilters) => setParams(filtersToSearchParams(next)),
    [setParams],
  );
  if (ruleId) {
    return (
      <InfoCard title={`Violations of ${ruleId}`}>
        <ViolationTable ruleId={ruleId} />
      </InfoCard>
    );
  }
  return (
    <IdentityTable
      title="Machine identities"
      heading="Identities"
      scope={NO_SCOPE}
      filters={filters}
      onFiltersChange={onFiltersChange}
    />
  );
}

/**
 * The `/machine-identities` page: inventory overview for platform and
 * security teams, and the filtered list every number links to.
 *
 * @public
 */
export function MachineIdentityPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Machine identities"
        subtitle="Certificates, SSH keys, tokens and service accounts across the estate"
      />
      <Content>
        <MachineIdentityOverview />
        <Box mt={3}>
          <InfoCard
            title="Compliance evidence"
            subheader="Inventory, owners, violations, waivers, reviews, revocations and audit trail, mapped to SOC 2, ISO 27001, PCI DSS and NIST 800-53 controls"
          >
            <EvidenceExportButton />
          </InfoCard>
        </Box>
        <Box mt={3} id="machine-identity-list">
          <MachineIdentityList />
        </Box>
      </Content>
    </Page>
  );
}
