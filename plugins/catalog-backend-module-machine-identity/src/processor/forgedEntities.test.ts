import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestDatabases, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getEntity, listMachineIdentities, waitFor } from '../testing/catalogApi';
import { MachineIdentityEntityProcessor } from './MachineIdentityEntityProcessor';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** The real processor in the real catalog, without the provider. */
const processorModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'machine-identity-processor-only',
  register(reg) {
    reg.registerInit({
      deps: { processing: catalogProcessingExtensionPoint },
      async init({ processing }) {
        processing.addProcessor(new MachineIdentityEntityProcessor());
      },
    });
  },
});

const forged = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: innocent-service }
spec: { type: service, owner: group:default/attackers, lifecycle: production }
---
apiVersion: keyring.io/v1alpha1
kind: MachineIdentity
metadata:
  name: ssh-0123456789abcdef
  annotations:
    backstage.io/managed-by-location: keyring-inventory:machine-identity
    backstage.io/managed-by-origin-location: keyring-inventory:machine-identity
spec:
  type: ssh-key
  owner: group:default/payments
  lifecycle: production
  status: { state: active, compliance: compliant, review: reviewed, management: automated }
`;

describe('MachineIdentity entities from a registered location', () => {
  it.each(databases.eachSupportedId())(
    'are refused by the processor while the location\'s other entities are ingested (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-forged-'));
      const file = path.join(dir, 'catalog-info.yaml');
      fs.writeFileSync(file, forged);
      const backend = await startTestBackend({
        features: [
          import('@backstage/plugin-catalog-backend'),
          processorModule,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              backend: { baseUrl: 'http://localhost:7007' },
              catalog: {
                processingInterval: { seconds: 1 },
                stitchingStrategy: { pollingInterval: { milliseconds: 100 } },
                rules: [{ allow: ['Component', 'MachineIdentity', 'Location'] }],
                locations: [{ type: 'file', target: file }],
              },
            },
          }),
        ],
      });
      try {
        await waitFor(() => getEntity(backend.server, 'component', 'innocent-service'));
        const refused = await waitFor(async () => {
          const row = await knex('refresh_state').where({ entity_ref: 'machineidentity:default/ssh-0123456789abcdef' }).first();
          return row?.errors && row.errors.includes('come only from') && row;
        });
        expect(refused.errors).toContain(`refused ssh-0123456789abcdef from file:${file}`);
        expect(await listMachineIdentities(backend.server)).toEqual([]);
      } finally {
        await backend.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
