/* The policy tests' identities and clock: the module authors' kit from -node/testUtils, under this folder's short names. */
export {
  POLICY_TEST_NOW as NOW,
  daysFromNow,
  makePolicyContext as makeContext,
  makeTestCertificate as makeCertificate,
  makeTestIdentity as makeIdentity,
} from '@keyring/plugin-machine-identity-node/testUtils';
