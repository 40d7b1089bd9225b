/*
 * A minimal backend for developing this plugin alone:
 * `node --import tsx dev/index.ts --config dev/app-config.yaml`.
 * It runs the plugin with the catalog and static-token access, so
 * scripts (and the operators' API contract check) can call it with a token.
 */
import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('../src'));
backend.start();
