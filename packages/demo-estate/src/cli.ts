import path from 'node:path';
import { prepareDemoEstate, startDemoEstate } from './DemoEstate';

/* Runs the demo estate until interrupted: `npm start` starts it beside the portal. */
const dir = path.resolve(process.env.KEYRING_DATA_DIR ?? path.resolve(__dirname, '../../../.keyring-data'), 'demo-estate');

if (process.argv.includes('--prepare-only')) {
  prepareDemoEstate(dir).then(
    () => console.log(`demo-estate: material ready under ${dir}`),
    error => {
      console.error(`demo-estate: failed to prepare: ${error}`);
      process.exit(1);
    },
  );
} else {
    startDemoEstate(dir).then(
    estate => {
      for (const e of estate.endpoints) {
        console.log(`demo-estate: ${e.commonName} on ${e.host}:${e.port} (expires ${e.notAfter.slice(0, 10)})`);
      }
      console.log(`demo-estate: ${estate.endpoints.length} TLS listeners up; files under ${dir}`);
      console.log(`demo-estate: demo Kubernetes cluster (API emulator) on ${estate.kubernetesUrl}`);
      console.log(`demo-estate: demo AWS account 123456789012 (IAM, Secrets Manager and ACM emulator) on ${estate.awsEndpoint}`);
      const stop = () => estate.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    error => {
      console.error(`demo-estate: failed to start: ${error}`);
      process.exit(1);
    },
  );
}
