import '@testing-library/jest-dom/vitest';
import type { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { MockFetchApi, TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { ReactElement } from 'react';
import { EntityMachineIdentityScorecardCard } from './EntityMachineIdentityScorecardCard';
import { EntityMachineIdentityScorecardContent } from './EntityMachineIdentityScorecardContent';
import { EvidenceExportButton } from './EvidenceExportButton';

const BASE = 'http://127.0.0.1:7007/api';
const server = setupServer();
const discoveryApi = { getBaseUrl: async (pluginId: string) => `${BASE}/${pluginId}` };

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/payments', lifecycle: 'production' },
});
const group: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'payments', namespace: 'default' }, spec: { type: 'team', children: [] } };

/** Keyring's default checks as the Tech Insights backend lists them (and one of another plugin). */
const CHECKS = [
  ['no-expired', 'No expired credential', 'expiredCredentials', 'state=active&expiresWithinDays=0'],
  ['no-error-violations', 'No error-severity violation', 'errorViolations', 'violating=true'],
  ['automated-80', 'At least 80 % automated', 'automatedShare', undefined],
  ['review-this-quarter', 'Ownership review done this quarter', 'reviewCompletedThisQuarter', undefined],
].map(([id, name, reasonFact, identityFilter]) => ({
  id: `machine-identity-${id}`,
  type: 'json-rules-engine',
  name,
  description: `${name}.`,
  factIds: ['machineIdentityFactRetriever'],
  metadata: { keyring: identityFilter ? { reasonFact, identityFilter } : { reasonFact } },
}));
const OTHER_CHECK = { ...CHECKS[0], id: 'techdocs-present', name: 'Has TechDocs' };

/** A result per check id: [passed, fact value]; a check left out has no result. */
function results(values: Record<string, [boolean, unknown]>) {
  return CHECKS.filter(c => c.id.replace('machine-identity-', '') in values).map(check => {
    const [result, value] = values[check.id.replace('machine-identity-', '')];
    const fact = check.metadata.keyring.reasonFact!;
    return { result, check, facts: { [fact]: { value, type: 'integer', description: fact } } };
  });
}

function render(element: ReactElement, entity: Entity, extraApis: any[] = []) {
  return renderInTestApp(
    <TestApiProvider apis={[[discoveryApiRef, discoveryApi], [fetchApiRef, new MockFetchApi()], ...extraApis]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

describe('machine identity scorecard', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows pass/fail per check with the reason, links failing checks to the identities, and no result where facts are missing', async () => {
    let asked: unknown;
    server.use(
      http.get(`${BASE}/tech-insights/checks`, () => HttpResponse.json([...CHECKS, OTHER_CHECK])),
      http.post(`${BASE}/tech-insights/checks/run/default/component/payments-api`, async ({ request }) => {
        asked = await request.json();
        return HttpResponse.json(results({ 'no-expired': [true, 0], 'no-error-violations': [false, 2], 'automated-80': [false, 0.5] }));
      }),
    );
    await render(<EntityMachineIdentityScorecardCard />, component('payments-api'));

    expect(await screen.findByText('1 of 4 checks passed')).toBeInTheDocument();
    expect(asked).toEqual({ checks: CHECKS.map(c => c.id) });
    const row = (id: string) => screen.getByTestId(`check-machine-identity-${id}`);
    expect(row('no-expired')).toHaveAttribute('data-status', 'pass');
    expect(row('no-expired')).toHaveTextContent('Passed: 0 expired');
    expect(row('no-error-violations')).toHaveAttribute('data-status', 'fail');
    expect(row('no-error-violations')).toHaveTextContent('Failed: 2 error-severity violations');
    expect(row('no-expired')).not.toHaveTextContent('violation');
    expect(within(row('no-error-violations')).getByRole('link', { name: 'Show identities' })).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/machine-identities?violating=true',
    );
    expect(row('automated-80')).toHaveTextContent('Failed: 50 % automated');
    expect(within(row('automated-80')).queryByRole('link')).toBeNull();
    expect(row('review-this-quarter')).toHaveAttribute('data-status', 'unknown');
    expect(row('review-this-quarter')).toHaveTextContent('No result: No data yet');
    expect(screen.queryByText('Has TechDocs')).toBeNull();
  });

  it('degrades to a hint where the backend runs no Tech Insights', async () => {
    server.use(http.get(`${BASE}/tech-insights/checks`, () => new HttpResponse('Not Found', { status: 404 })));
    await render(<EntityMachineIdentityScorecardCard />, component('payments-api'));
    expect(await screen.findByTestId('scorecard-unavailable')).toHaveTextContent('Tech Insights is not available.');
  });

  it("ranks a Group's Components worst first on its Scorecard tab", async () => {
    let bulk: any;
    server.use(
      http.get(`${BASE}/tech-insights/checks`, () => HttpResponse.json(CHECKS)),
      http.post(`${BASE}/tech-insights/checks/run/default/group/payments`, () =>
        HttpResponse.json(results({ 'no-expired': [true, 0], 'no-error-violations': [true, 0], 'automated-80': [true, 0.9], 'review-this-quarter': [true, true] })),
      ),
      http.post(`${BASE}/tech-insights/checks/run`, async ({ request }) => {
        bulk = await request.json();
        return HttpResponse.json([
          { entity: 'component:default/billing', results: results({ 'no-expired': [true, 0], 'no-error-violations': [false, 1], 'automated-80': [true, 1], 'review-this-quarter': [true, true] }) },
          { entity: 'component:default/checkout', results: results({ 'no-expired': [false, 3], 'no-error-violations': [false, 4], 'automated-80': [false, 0.2], 'review-this-quarter': [true, true] }) },
          { entity: 'component:default/atlas', results: results({ 'no-expired': [true, 0], 'no-error-violations': [true, 0], 'automated-80': [true, 1], 'review-this-quarter': [true, true] }) },
        ]);
      }),
    );
    const catalogApi = catalogApiMock.mock({
      getEntities: vi.fn(async () => ({ items: [component('atlas'), component('billing'), component('checkout')] })),
    });
    await render(<EntityMachineIdentityScorecardContent />, group, [[catalogApiRef, catalogApi]]);

    expect(await screen.findByText('4 of 4 checks passed')).toBeInTheDocument();
    await screen.findByText('Components, worst first');
    expect(catalogApi.getEntities).toHaveBeenCalledWith(
      expect.objectContaining({ filter: { kind: 'Component', 'relations.ownedBy': 'group:default/payments' } }),
    );
    expect(bulk).toEqual({ entities: ['component:default/atlas', 'component:default/billing', 'component:default/checkout'], checks: CHECKS.map(c => c.id) });
    const table = screen.getByText('Components, worst first').closest('div[class*="MuiPaper"]') as HTMLElement;
    const names = within(table).getAllByRole('link').map(a => a.textContent);
    expect(names).toEqual(['checkout', 'billing', 'atlas']);
    expect(within(table).getByText('No expired credential, No error-severity violation, At least 80 % automated')).toBeInTheDocument();
  });

  it('exports evidence for the owner with progress from the streamed response, then downloads it', async () => {
    let query: URLSearchParams | undefined;
    let release!: () => void;
    const held = new Promise<void>(resolve => {
      release = resolve;
    });
    server.use(
      http.get(`${BASE}/machine-identity/evidence`, ({ request }) => {
        query = new URL(request.url).searchParams;
        const encoder = new TextEncoder();
        const stream = new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode('section,summary\r\na\r\nb\r\n'));
            await held;
            controller.enqueue(encoder.encode('c\r\nd\r\n'));
            controller.close();
          },
        });
        return new HttpResponse(stream, { headers: { 'Content-Type': 'text/csv', 'X-Evidence-Rows': '4' } });
      }),
    );
    const createObjectURL = vi.fn(() => 'blob:evidence');
    const revokeObjectURL = vi.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});

    await render(<EvidenceExportButton owner="group:default/payments" />, group);
    fireEvent.click(screen.getByRole('button', { name: 'Export evidence' }));

    expect(await screen.findByText('3 of 4 rows received')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export evidence' })).toBeDisabled();
    release();
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    expect(screen.queryByTestId('evidence-progress')).toBeNull();
    expect(query?.get('owner')).toBe('group:default/payments');
    expect(query?.get('format')).toBe('csv');
    expect(query?.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00.000Z$/);
    const blob = (createObjectURL.mock.calls[0] as unknown[])[0] as Blob;
    const text = await new Promise(resolve => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsText(blob);
    });
    expect(text).toBe('section,summary\r\na\r\nb\r\nc\r\nd\r\n');
    click.mockRestore();
  });
});
