/**
 * A loopback emulator of AWS IAM (and STS AssumeRole), Secrets Manager and
 * ACM that speaks their wire formats, with estate builders for tests, the
 * demo and the bench.
 */
export { AwsEmulator, type AwsEmulatorOptions } from './AwsEmulator';
export * from './types';
export {
  AWS_MANAGED_POLICIES,
  accessKey,
  addGeneratedUsers,
  daysAgo,
  emptyAccount,
  ownerTags,
  role,
  user,
} from './estates';
export { DEMO_AWS_CREDENTIALS, demoAccount } from './demoAccount';
export { DEMO_AWS_HOST, DEMO_AWS_PORT, prepareDemoAws, startDemoAws } from './demoAws';
export { selfSignedCertificatePem, sshEd25519PublicKey } from './material';
export { signQueryRequest } from './sigv4';
