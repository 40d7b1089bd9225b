/*
 * Runs a Kubernetes API emulator holding a Secret fleet until it is sent
 * SIGTERM; prints one JSON line `{ url, token, caData, fleet }` once it listens.
 * Benchmarks run it in its own process so the emulator's work is not counted
 * against the client's.
 *
 *   tsx src/kubernetes/cli.ts --secrets 50000 [--per-namespace 100] [--token T]
 */
import { addSecretFleet } from './secretFleet';
import { KubernetesEmulator } from './KubernetesEmulator';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

async function main() {
  const token = arg('token', 'bench-token');
  const emulator = await KubernetesEmulator.start({ token });
  const fleet = addSecretFleet(emulator, { secrets: Number(arg('secrets', '50000')), perNamespace: Number(arg('per-namespace', '100')) });
  process.stdout.write(`${JSON.stringify({ url: emulator.url, token, caData: emulator.caData, fleet })}\n`);
  const stop = () => emulator.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`kubernetes emulator: ${error}\n`);
  process.exit(1);
});
