import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import axe from 'axe-core';

const root = path.resolve(__dirname, '..');
const appDir = path.join(root, 'packages', 'app-next');

/** Where the new-frontend-system app is served in the e2e run (backend.cors lists it). */
export const APP_NEXT_PORT = 3101;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Builds packages/app-next once, with the e2e portal's config, and serves the
 * static build on {@link APP_NEXT_PORT} (unknown paths get index.html, as a
 * single-page app needs). The legacy app's dev server of the global setup is
 * untouched, so the other e2e files are not slowed down.
 */
export async function startAppNext(backendUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const url = `http://localhost:${APP_NEXT_PORT}`;
  const configs = ['app-config.yaml', 'app-config.demo.yaml', 'e2e/app-config.e2e.yaml', 'app-config.next.yaml'];
  const args = ['package', 'build', ...configs.flatMap(c => ['--config', path.join(root, c)])];
  const output: string[] = [];
  const code = await new Promise<number | null>(resolve => {
    const p = spawn(path.join(root, 'node_modules', '.bin', 'backstage-cli'), args, {
      cwd: appDir,
      // NODE_ENV is 'test' under vitest; the production browserslist is what a build uses.
      env: { ...process.env, NODE_ENV: 'production', APP_CONFIG_app_baseUrl: url, APP_CONFIG_backend_baseUrl: backendUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout.on('data', d => output.push(String(d)));
    p.stderr.on('data', d => output.push(String(d)));
    p.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`app-next build failed (${code}):\n${output.join('').slice(-4000)}`);

  const dist = path.join(appDir, 'dist');
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', url).pathname);
    let file = path.join(dist, path.normalize(pathname));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) {
      file = path.join(dist, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>(resolve => server.listen(APP_NEXT_PORT, '127.0.0.1', resolve));
  return { url, close: () => new Promise(resolve => server.close(() => resolve())) };
}

/** axe-core's serious and critical violations on the page as it is now (or in the element `selector` names). */
export async function seriousViolations(page: Page, selector?: string) {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(async within => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const context = within ? document.querySelector(within) : document;
    if (!context) throw new Error(`axe: nothing matches ${within}`);
    return run(context, { resultTypes: ['violations'] });
  }, selector);
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.html.slice(0, 200)} — ${n.failureSummary?.slice(0, 200)}`),
    }));
}
