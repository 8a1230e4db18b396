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

/** The accounts every gateway started here has, one per role. */
export const PASSWORD = 'end-to-end test password';
export const ROLES = ['commander', 'responder', 'stakeholder'];

function aegisBin() {
  // Cargo's target directory: the checkout's, unless CARGO_TARGET_DIR moves it.
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
  const bin = path.join(target, 'debug', 'aegis');
  if (!existsSync(bin)) throw new Error(`${bin} missing: cargo build -p server`);
  return bin;
}

/** Creates the per-role accounts in `data` with the `aegis user add` CLI, as an operator would. */
function createAccounts(config, data) {
  for (const role of ROLES) {
    execFileSync(aegisBin(), ['user', 'add', role, '--role', role, '--password-stdin', '--config', config], {
      env: { ...process.env, AEGIS_DATA_DIR: data },
      input: PASSWORD + '\n',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }
}

/** Signs `page`'s browser context in as `role` through the API (the cookie lands in the context). */
export async function signIn(page, gw, role) {
  const resp = await page.request.post(`${gw.url}/api/login`, {
    data: { name: role, password: PASSWORD },
    headers: { origin: gw.url },
  });
  if (resp.status() !== 200) throw new Error(`login as ${role}: ${resp.status()} ${await resp.text()}`);
  return resp.json();
}

/**
 * Starts `aegis serve` with a 2 s sweep interval; resolves once it answers /api/ping. `port` and
 * `data` pin the port and the data directory, so that a restarted gateway keeps the page's origin
 * and its sessions; `extraEnv` adds settings (AEGIS_* variables).
 */
export async function startGateway(port, data, extraEnv = {}) {
  const config = path.join(sandboxDir, 'aegis.toml');
  if (!existsSync(config)) throw new Error(`the sandbox is not up (${config} missing): run cargo xtask sandbox up`);
  const bin = aegisBin();
  port = port || await freePort();
  if (!data) {
    data = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-'));
    createAccounts(config, data);
  }
  const child = spawn(bin, ['serve', '--config', config], {
    env: {
      ...process.env,
      AEGIS_LISTEN: `127.0.0.1:${port}`,
      AEGIS_DATA_DIR: data,
      AEGIS_SITE_DIR: path.join(root, 'target', 'site'),
      AEGIS_SWEEP_INTERVAL_SECS: '2',
      AEGIS_LOG: process.env.E2E_AEGIS_LOG || 'warn',
      ...extraEnv,
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
    port,
    data,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * One gateway for a whole spec file: the sandbox is reset and the gateway started before its
 * tests, and stopped (and the sandbox reset again) after them. `use` receives the gateway.
 */
export function gatewayForFile(test, use) {
  let gw;
  test.beforeAll(async () => {
    sandbox('reset');
    gw = await startGateway();
    use(gw);
  });
  test.afterAll(async () => {
    await gw?.stop();
    sandbox('reset');
  });
}
