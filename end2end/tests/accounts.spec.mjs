// Accounts, roles and share links in a phone-sized Chromium, against the real gateway and the
// sandbox host: who sees what, who may do what, and that a revoked link stops working.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { gatewayForFile, sandbox, signIn, root, PASSWORD } from './gateway.mjs';

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TILES = '[data-testid^="check-"]';

/** Signs in through the login form, as a person would. */
async function signInWithForm(page, name, password) {
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Runs `fetch(url, init)` in the page (its cookies, its origin) and returns the status. */
function fetchStatus(page, url, init = {}) {
  return page.evaluate(async ([u, i]) => (await fetch(u, i)).status, [url, init]);
}

test('signed out lands on the login page; a responder signs in through the form and gets the detailed board', async ({ page }) => {
  await page.goto(gw.url + '/');
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByTestId('login-submit')).toBeVisible();
  await expect(page.locator(TILES)).toHaveCount(0);

  // A wrong password for a real account, then an account that does not exist: the same message,
  // and it names neither case.
  await signInWithForm(page, 'responder', 'not the password at all');
  const error = page.getByTestId('login-error');
  await expect(error).toBeVisible();
  const wrongPassword = (await error.textContent()).trim();
  expect(wrongPassword.length).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByTestId('whoami')).toHaveCount(0);

  await signInWithForm(page, 'nobody-by-this-name', 'not the password at all');
  await expect(error).toBeVisible();
  await expect(page.getByTestId('login-submit')).toBeEnabled();
  await expect(error).toHaveText(wrongPassword);
  expect(wrongPassword).not.toMatch(/exist|unknown|no such|not found|no account|wrong password|incorrect password/i);

  await signInWithForm(page, 'responder', PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByTestId('whoami')).toHaveAttribute('data-role', 'responder');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  await expect(page.locator(TILES)).toHaveCount(13);
  await expect(page.getByTestId('sweep-now')).toBeVisible();
  await expect(page.getByTestId('readonly')).toHaveCount(0);
  await expect(page.getByTestId('check-health.ciam-kratos')).toContainText('HTTP 200');
});

test('a stakeholder sees the live component view without internals or controls, and the API refuses them', async ({ page }) => {
  await page.goto(gw.url + '/login');
  await signInWithForm(page, 'stakeholder', PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByTestId('whoami')).toHaveAttribute('data-role', 'stakeholder');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  await expect(page.locator(TILES)).toHaveCount(13);
  // Wait for real statuses before checking what is absent: an empty board hides nothing.
  await expect(page.locator(`${TILES}[data-status="up"]`)).toHaveCount(13);
  await expect(page.getByTestId('readonly')).toBeVisible();
  await expect(page.getByTestId('sweep-now')).toHaveCount(0);
  await expect(page.getByTestId('nav-users')).toHaveCount(0);
  await expect(page.getByTestId('nav-share-links')).toHaveCount(0);

  const body = page.locator('body');
  for (const secret of ['HTTP 200', '127.0.0.1', '42022', 'olympus@']) {
    await expect(body).not.toContainText(secret);
  }
  // Nor hidden in attributes (tooltips and the like).
  const html = await page.content();
  for (const secret of ['HTTP 200', '127.0.0.1', '42022', 'olympus@']) {
    expect(html, `page HTML contains ${secret}`).not.toContain(secret);
  }

  const file = path.join(root, 'target', 'e2e-phone-stakeholder.png');
  await page.screenshot({ path: file, fullPage: false });
  console.log(`phone screenshot: ${file}`);

  // Live: a fault turns their tile down without a reload.
  let reloaded = false;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) reloaded = true; });
  const tile = page.getByTestId('check-health.ciam-kratos');
  try {
    sandbox('fault', '503', 'ciam-kratos');
    await expect(tile).toHaveAttribute('data-status', 'down', { timeout: 15_000 });
    expect(reloaded).toBe(false);
    // Still the projection: the status word, not the HTTP detail.
    await expect(body).not.toContainText('HTTP 503');

    // A crafted request from their own session, with their own CSRF token, is still refused.
    const me = await page.evaluate(async () => (await fetch('/api/me')).json());
    expect(me.role).toBe('stakeholder');
    expect(typeof me.csrf_token).toBe('string');
    expect(me.csrf_token.length).toBeGreaterThan(0);
    expect(await fetchStatus(page, '/api/sweep', { method: 'POST', headers: { 'x-csrf-token': me.csrf_token } })).toBe(403);
    expect(await fetchStatus(page, '/api/users')).toBe(403);
    // The session itself is fine: the refusals are about the role.
    expect(await fetchStatus(page, '/api/health')).toBe(200);
  } finally {
    sandbox('fault', 'ok', 'ciam-kratos');
  }
  await expect(tile).toHaveAttribute('data-status', 'up', { timeout: 15_000 });
});

test('a commander shares a read-only board by link, and revoking it shuts the link', async ({ page, browser }) => {
  await signIn(page, gw, 'commander');
  await page.goto(gw.url + '/share-links');
  await expect(page.getByTestId('whoami')).toHaveAttribute('data-role', 'commander');
  await page.getByTestId('share-label').fill('Support leads');
  await page.getByTestId('share-hours').fill('2');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/share-links') && r.request().method() === 'POST');
  await page.getByTestId('share-create').click();
  const made = await (await created).json();
  const id = made.link.id;

  const urlField = page.getByTestId('share-url');
  await expect(urlField).toHaveValue(/\/share\/[^/]+$/);
  const shareUrl = await urlField.inputValue();
  expect(shareUrl).toBe(gw.url + made.path);
  const row = page.getByTestId(`share-link-${id}`);
  await expect(row).toHaveAttribute('data-state', 'active');
  await expect(row).toContainText('Support leads');

  // Someone with no account opens it on their phone.
  const viewerCtx = await browser.newContext(PHONE);
  const goneCtx = await browser.newContext(PHONE);
  try {
    const viewer = await viewerCtx.newPage();
    await viewer.goto(shareUrl);
    await expect(viewer.getByTestId('share-session')).toBeVisible();
    await expect(viewer.getByTestId('readonly')).toBeVisible();
    await expect(viewer.getByTestId('conn')).toHaveAttribute('data-state', 'live');
    await expect(viewer.locator(TILES)).toHaveCount(13);
    await expect(viewer.locator(`${TILES}[data-status="up"]`)).toHaveCount(13);
    await expect(viewer.getByTestId('sweep-now')).toHaveCount(0);
    await expect(viewer.getByTestId('logout')).toHaveCount(0);
    await expect(viewer.getByTestId('nav-share-links')).toHaveCount(0);
    await expect(viewer.locator('body')).not.toContainText('HTTP 200');

    let viewerReloaded = false;
    viewer.on('framenavigated', (f) => { if (f === viewer.mainFrame()) viewerReloaded = true; });

    // The commander revokes it.
    await page.getByTestId(`revoke-${id}`).click();
    await expect(row).toHaveAttribute('data-state', 'revoked');
    await expect(page.getByTestId(`revoke-${id}`)).toHaveCount(0);

    // The board that is open stops, without a reload: the viewer is told the link no longer
    // works, the tiles are gone, and the API no longer answers their session.
    await expect(viewer.getByTestId('share-gone')).toBeVisible({ timeout: 15_000 });
    expect(viewerReloaded).toBe(false);
    await expect(viewer.locator(TILES)).toHaveCount(0);
    expect(await fetchStatus(viewer, '/api/health')).toBe(401);
    // Reloading the URL they were given says the same.
    await viewer.reload();
    await expect(viewer.getByTestId('share-gone')).toBeVisible();
    await expect(viewer.locator(TILES)).toHaveCount(0);

    // And the link does not open for anyone new.
    const fresh = await goneCtx.newPage();
    await fresh.goto(shareUrl);
    await expect(fresh.getByTestId('share-gone')).toBeVisible();
    await expect(fresh.locator(TILES)).toHaveCount(0);
    await expect(fresh.getByTestId('share-session')).toHaveCount(0);
    expect(await fetchStatus(fresh, '/api/health')).toBe(401);
  } finally {
    await viewerCtx.close();
    await goneCtx.close();
  }
});

test('signing out ends the session: back to the login page, and the API answers 401', async ({ page }) => {
  await page.goto(gw.url + '/login');
  await signInWithForm(page, 'responder', PASSWORD);
  await expect(page.getByTestId('whoami')).toHaveAttribute('data-role', 'responder');
  await expect(page.locator(TILES)).toHaveCount(13);
  expect(await fetchStatus(page, '/api/health')).toBe(200);

  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.getByTestId('login-submit')).toBeVisible();
  await expect(page.getByTestId('whoami')).toHaveCount(0);
  expect(await fetchStatus(page, '/api/health')).toBe(401);

  // And the board is not reachable by going back to it.
  await page.goto(gw.url + '/');
  await expect(page).toHaveURL(/\/login(\?|$)/);
  await expect(page.locator(TILES)).toHaveCount(0);
});
