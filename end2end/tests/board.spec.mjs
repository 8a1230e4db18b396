// The health board in a phone-sized Chromium, against the real gateway and the sandbox host.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { sandbox, startGateway, signIn, root } from './gateway.mjs';

let gw;

test.beforeAll(async () => {
  sandbox('reset');
  gw = await startGateway();
});

// The board is the responder's: every test here starts signed in as one.
test.beforeEach(async ({ page }) => {
  await signIn(page, gw, 'responder');
});

test.afterAll(async () => {
  await gw?.stop();
  sandbox('reset');
});

test('the board shows every check up, live', async ({ page }) => {
  await page.goto(gw.url + '/');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  const tiles = page.locator('[data-testid^="check-"]');
  await expect(tiles).toHaveCount(13);
  // Every tile reaches "up" (the first sweep may still be running when the page loads).
  for (const id of ['host.ssh', 'host.containers', 'health.ciam-kratos', 'health.iam-hydra', 'database.pg_isready', 'edge.ciam', 'edge.iam']) {
    await expect(page.getByTestId(`check-${id}`)).toHaveAttribute('data-status', 'up');
  }
  await expect(page.locator('[data-testid^="check-"][data-status="up"]')).toHaveCount(13);
  await expect(page.getByTestId('summary')).toContainText('13');
  await expect(page.getByTestId('board')).toHaveAttribute('data-stale', 'false');
});

test('a fault on the host turns its tile down without a reload, within a sweep', async ({ page }) => {
  await page.goto(gw.url + '/');
  const tile = page.getByTestId('check-health.ciam-kratos');
  await expect(tile).toHaveAttribute('data-status', 'up');
  let reloaded = false;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloaded = true; });

  sandbox('fault', '503', 'ciam-kratos');
  // The sweep interval is 2 s: one interval plus the sweep itself, with room to spare.
  await expect(tile).toHaveAttribute('data-status', 'down', { timeout: 10_000 });
  await expect(tile).toContainText('HTTP 503');
  await expect(page.getByTestId('summary')).toContainText('1 down');
  expect(reloaded).toBe(false);

  // Trouble is listed first on the board.
  const first = page.locator('[data-testid^="check-"]').first();
  await expect(first).toHaveAttribute('data-testid', 'check-health.ciam-kratos');

  await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-board-down.png'), fullPage: true });

  sandbox('fault', 'ok', 'ciam-kratos');
  await expect(tile).toHaveAttribute('data-status', 'up', { timeout: 10_000 });
});

test('sweep now asks the gateway for a sweep', async ({ page }) => {
  await page.goto(gw.url + '/');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  const sweeps = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/sweep') && r.method() === 'POST') sweeps.push(r); });
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/sweep') && r.status() === 202);
  await page.getByTestId('sweep-now').click();
  await answered;
  expect(sweeps.length).toBe(1);
});

test('losing the gateway marks the board stale and it recovers on reconnect', async ({ page }) => {
  await page.goto(gw.url + '/');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('check-host.ssh')).toHaveAttribute('data-status', 'up');
  await gw.stop();
  await expect(page.getByTestId('board')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'reconnecting');
  // Restart on the same port: the page reconnects to its own origin.
  gw = await startGateway(gw.port, gw.data);
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live', { timeout: 45_000 });
  await expect(page.getByTestId('board')).toHaveAttribute('data-stale', 'false');
});

test('a phone-size screenshot of the healthy board', async ({ page }) => {
  await page.goto(gw.url + '/');
  await expect(page.locator('[data-testid^="check-"][data-status="up"]')).toHaveCount(13);
  const file = path.join(root, 'target', 'e2e-phone-board.png');
  await page.screenshot({ path: file, fullPage: false });
  console.log(`phone screenshot: ${file}`);
});
