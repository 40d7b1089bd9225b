import type { AwsEmulator } from '@keyring/cloud-emulators/aws';
import { DEMO_AWS_CREDENTIALS } from '@keyring/cloud-emulators/aws';

export { until } from '@keyring/plugin-machine-identity-node/testUtils';

/** `machineIdentity` config with one `aws-demo` source reading the demo account from the emulator. */
export function awsDemoConfig(emulator: AwsEmulator, extra: Record<string, unknown> = {}) {
  return {
    machineIdentity: {
      fallbackOwner: 'group:default/security',
      sources: [
        {
          id: 'aws-demo',
          type: 'aws-iam',
          accounts: [{ accountId: '123456789012', region: 'eu-west-1', endpoint: emulator.endpoint, credentials: DEMO_AWS_CREDENTIALS }],
          schedule: { frequency: { hours: 12 }, timeout: { minutes: 5 }, initialDelay: { hours: 12 } },
        },
      ],
      ...extra,
    },
  };
}
