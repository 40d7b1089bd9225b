import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
// @ts-expect-error plain ESM helper without types
import { startPortal } from '../scripts/portal.mjs';

/** Starts one real portal (demo estate, backend, app) for every e2e test file. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'keyring-e2e-'));
  process.env.KEYRING_DEMO_TLS_PORT = '18443';
  // The demo Kubernetes cluster too, so an e2e run and `npm start` can run side by side.
  process.env.KEYRING_DEMO_K8S_PORT = '16443';
  const portal = await startPortal({
    dataDir,
    extraConfig: path.resolve(__dirname, 'app-config.e2e.yaml'),
    backendPort: 7107,
    appPort: 3100,
  });
  project.provide('backendUrl', portal.backendUrl);
  project.provide('appUrl', portal.appUrl);
  project.provide('dataDir', dataDir);
  return async () => {
    await portal.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    backendUrl: string;
    appUrl: string;
    dataDir: string;
  }
}
