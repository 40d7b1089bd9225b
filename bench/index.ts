/*
 * `npm run bench`: Keyring's scale figures, each printed beside a peer tool
 * run on the same machine in the same run. Not a timed test: it prints, it
 * does not pass or fail on figures.
 *
 *   npm run bench                 every area
 *   npm run bench -- tls ssh      only those areas
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ORDER = ['policy', 'ssh', 'tls', 'kubernetes', 'aws', 'inventory', 'load', 'catalog'];

async function main() {
  const wanted = process.argv.slice(2);
  const areas = readdirSync(__dirname)
    .filter(f => f.endsWith('.ts') && f !== 'index.ts' && !f.startsWith('_'))
    .map(f => f.replace(/\.ts$/, ''))
    .filter(a => wanted.length === 0 || wanted.includes(a))
    .sort((a, b) => (ORDER.indexOf(a) + 100) % 100 - (ORDER.indexOf(b) + 100) % 100);
  console.log(`Keyring bench on ${process.platform}/${process.arch}, node ${process.version}, areas: ${areas.join(', ')}`);
  let failed = 0;
  for (const area of areas) {
    console.log(`\n=== ${area} ===`);
    const started = Date.now();
    try {
      const mod = await import(path.join(__dirname, `${area}.ts`));
      await mod.run();
    } catch (e) {
      failed++;
      console.error(`${area}: bench failed: ${(e as Error).stack ?? e}`);
    }
    console.log(`(${area} took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  process.exit(failed ? 1 : 0);
}

main();
