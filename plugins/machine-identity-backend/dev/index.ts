/*
 * A minimal backend for developing this plugin alone:
 * `node --import tsx dev/index.ts --config dev/app-config.yaml`.
 * It runs the plugin with the catalog and static-token access, so
 * /work/shared/checks/api-contract can be pointed at it.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('../src'));
backend.start();
