import fs from 'node:fs/promises';
import path from 'node:path';
import { AwsEmulator } from './AwsEmulator';
import { demoAccount } from './demoAccount';
import type { EmulatedAccount } from './types';

/** Where the demo AWS emulator listens (loopback), unless `KEYRING_DEMO_AWS_PORT` says otherwise. */
export const DEMO_AWS_HOST = '127.0.10.21';
/** Default port of the demo AWS emulator (LocalStack's, so the example config reads naturally). */
export const DEMO_AWS_PORT = 4566;

const FILE = 'aws-account.json';

/**
 * Creates the demo AWS account in `dir` unless it is there (kept, so its
 * access key ids, certificates and SSH key stay the same across restarts),
 * and returns it.
 */
export async function prepareDemoAws(dir: string): Promise<EmulatedAccount> {
  const file = path.join(dir, FILE);
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as EmulatedAccount;
  } catch {
    const account = await demoAccount();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(file, JSON.stringify(account, null, 2), { mode: 0o600 });
    return account;
  }
}

/** Starts the demo AWS emulator on loopback with the account kept in `dir`. */
export async function startDemoAws(dir: string, options: { port?: number } = {}): Promise<AwsEmulator> {
  const account = await prepareDemoAws(dir);
  return AwsEmulator.start({
    accounts: [account],
    host: DEMO_AWS_HOST,
    port: options.port ?? Number(process.env.KEYRING_DEMO_AWS_PORT ?? DEMO_AWS_PORT),
    recordCalls: false,
  });
}
