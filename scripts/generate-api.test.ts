import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const spec = path.join(root, 'plugins/machine-identity-backend/src/schema/openapi.yaml');

function check(env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(root, 'scripts/generate-api.mjs'), '--check'], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('npm run generate:api', () => {
  it('finds the committed server types and client types generated from the current spec', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails --check when the spec changed and the generated files were not regenerated', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-spec-'));
    try {
      const changed = path.join(dir, 'openapi.yaml');
      fs.writeFileSync(changed, fs.readFileSync(spec, 'utf8').replace('operationId: getSummary', 'operationId: getInventorySummary'));
      const result = check({ KEYRING_API_SPEC: changed });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Stale generated files');
      expect(result.stderr).toContain('machine-identity-common/src/generated/openapi.ts');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a spec with an operation that has no operationId', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyring-spec-'));
    try {
      const changed = path.join(dir, 'openapi.yaml');
      fs.writeFileSync(changed, fs.readFileSync(spec, 'utf8').replace('      operationId: getPolicy\n', ''));
      const result = check({ KEYRING_API_SPEC: changed });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('GET /policy has no operationId');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
