// Starts a whole Keyring portal (demo estate, backend, app) for end-to-end
// tests and benchmarks, waits until it is healthy, and stops it again.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function waitFor(url, { timeoutMs, isOk = r => r.ok, procs }) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    for (const p of procs) {
      if (p.exitCode !== null) throw new Error(`${p.name} exited with ${p.exitCode} before ${url} was up; see ${p.log}`);
    }
    try {
      const res = await fetch(url);
      if (isOk(res)) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`${url} not up after ${timeoutMs} ms (${last})`);
}

async function waitForLog(proc, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(readFileSync(proc.log, 'utf8'))) return;
    if (proc.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.exitCode}; see ${proc.log}`);
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} did not log ${pattern} within ${timeoutMs} ms; see ${proc.log}`);
}

/**
 * Starts the portal with `extraConfig` (an app-config file) laid over
 * app-config.yaml and app-config.demo.yaml. Logs go to `<dataDir>/logs/*.log`.
 */
export async function startPortal({ dataDir, extraConfig, backendPort = 7007, appPort = 3000, withApp = true, timeoutMs = 240_000 }) {
  mkdirSync(path.join(dataDir, 'db'), { recursive: true });
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  const configArgs = ['--config', path.join(root, 'app-config.yaml'), '--config', path.join(root, 'app-config.demo.yaml'), ...(extraConfig ? ['--config', extraConfig] : [])];
  const env = { ...process.env, KEYRING_DATA_DIR: dataDir, NODE_ENV: 'development', BROWSER: 'none' };
  const procs = [];
  const run = (name, cmd, args, cwd) => {
    const log = path.join(dataDir, 'logs', `${name}.log`);
    const fd = openSync(log, 'a');
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd], detached: true });
    Object.assign(p, { name, log });
    procs.push(p);
    return p;
  };
  const bin = name => path.join(root, 'node_modules', '.bin', name);
  const estate = run('estate', bin('tsx'), ['src/cli.ts'], path.join(root, 'packages/demo-estate'));
  // The backend scans the estate right after start: let the estate come up first.
  await waitForLog(estate, /TLS listeners up/, timeoutMs);
  run('backend', bin('tsx'), ['src/index.ts', ...configArgs], path.join(root, 'packages/backend'));
  if (withApp) {
    run('app', bin('backstage-cli'), ['package', 'start', ...configArgs], path.join(root, 'packages/app'));
  }
  const stop = async () => {
    for (const p of procs) {
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await new Promise(r => setTimeout(r, 1000));
    for (const p of procs) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitFor(`http://localhost:${backendPort}/api/machine-identity/health`, { timeoutMs, procs });
    if (withApp) await waitFor(`http://localhost:${appPort}/`, { timeoutMs, procs });
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    backendUrl: `http://localhost:${backendPort}`,
    appUrl: `http://localhost:${appPort}`,
    logs: Object.fromEntries(procs.map(p => [p.name, p.log])),
    stop,
  };
}
