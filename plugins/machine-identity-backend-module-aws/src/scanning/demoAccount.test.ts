import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_AWS_CREDENTIALS, startDemoAws } from '@keyring/cloud-emulators/aws';
import { runAwsScanner } from '../__testUtils__/runAwsScanner';

describe('the demo AWS account', () => {
  it('serves the same identities after a restart (kept in the demo folder) on a loopback address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyring-aws-demo-'));
    const scanOnce = async () => {
      const emulator = await startDemoAws(dir, { port: 0 });
      try {
        expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.10\.21:\d+$/);
        return await runAwsScanner({ accounts: [{ accountId: '123456789012', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS }] });
      } finally {
        await emulator.stop();
      }
    };
    try {
      const first = await scanOnce();
      const second = await scanOnce();
      expect(first.problems).toEqual([]);
      expect(first.discoveries).toHaveLength(15);
      const fingerprints = (o: typeof first) => o.discoveries.map(d => d.fingerprintSha256).sort();
      expect(fingerprints(second)).toEqual(fingerprints(first));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
