// Starts the real gateway binary against the sandbox host on a free loopback port, and drives the
// sandbox's fault switch. Used by every spec.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = process.env.E2E_ROOT || path.resolve(here, '..', '..');
const sandboxDir = process.env.AEGIS_SANDBOX_DIR || path.join(root, '.sandbox');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `sandbox/sandbox.sh ARGS...`; throws with its output when it fails. */
export function sandbox(...args) {
  execFileSync('bash', [path.join(root, 'sandbox', 'sandbox.sh'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts `aegis serve` with a 2 s sweep interval; resolves once it answers /api/ping. `port` pins
 * the port, so that a restarted gateway keeps the page's origin.
 */
export async function startGateway(port) {
  const config = path.join(sandboxDir, 'aegis.toml');
  if (!existsSync(config)) throw new Error(`the sandbox is not up (${config} missing): run cargo xtask sandbox up`);
  const bin = path.join(root, 'target', 'debug', 'aegis');
  if (!existsSync(bin)) throw new Error(`${bin} missing: cargo build -p server`);
  port = port || await freePort();
  const data = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-'));
  const child = spawn(bin, ['serve', '--config', config], {
    env: {
      ...process.env,
      AEGIS_LISTEN: `127.0.0.1:${port}`,
      AEGIS_DATA_DIR: data,
      AEGIS_SITE_DIR: path.join(root, 'target', 'site'),
      AEGIS_SWEEP_INTERVAL_SECS: '2',
      AEGIS_LOG: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`aegis exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/api/ping`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('aegis did not answer /api/ping within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
