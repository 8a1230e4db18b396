// Incidents in phone-sized Chromium, against the real gateway and the sandbox host: a Sev 1 from
// declaration to resolution with a stakeholder watching live, and an incident channel that fails.
import { test, expect } from '@playwright/test';
import http from 'node:http';
import path from 'node:path';
import { gatewayForFile, sandbox, startGateway, signIn, root } from './gateway.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const FIRST_POST = 'Investigating, ETA on next update in 15 minutes.';

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

test('a Sev 1 from declaration to resolution, live on a stakeholder\'s phone', async ({ page, browser }) => {
  await signIn(page, gw, 'responder');
  await page.goto(gw.url + '/incidents');
  await page.getByTestId('declare-button').click();
  await expect(page).toHaveURL(/\/incidents\/new$/);

  // The matrix is in front of the responder: every level's definition and first-response time.
  await expect(page.getByText('Production identity is completely down.', { exact: false })).toBeVisible();
  await expect(page.getByText('next business day', { exact: false }).first()).toBeVisible();
  await page.getByTestId('declare-title').fill('Logins failing on ciam');
  await page.getByTestId('declare-broken').fill('Hera shows an error page on every login attempt');
  await page.getByTestId('severity-sev1').check();
  await page.getByTestId('declare-submit').click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  const id = page.url().split('/').pop();

  // Both 15-minute countdowns run.
  await expect(page.getByTestId('incident-severity')).toContainText('Sev 1');
  const response = page.getByTestId('response-countdown');
  const cadence = page.getByTestId('update-countdown');
  await expect(response).toContainText(/1[45]:\d\d/);
  await expect(cadence).toContainText(/1[45]:\d\d/);
  await expect(response).not.toHaveClass(/overdue/);
  const shown = await response.textContent();
  await expect(response).not.toHaveText(shown, { timeout: 5_000 }); // it ticks

  // A stakeholder opens the incident on another phone: read-only.
  const other = await browser.newContext(PHONE);
  const stakeholder = await other.newPage();
  await signIn(stakeholder, gw, 'stakeholder');
  await stakeholder.goto(`${gw.url}/incidents/${id}`);
  await expect(stakeholder.getByTestId('incident-severity')).toContainText('Sev 1');
  await expect(stakeholder.getByTestId('ack-button')).toHaveCount(0);
  await expect(stakeholder.getByTestId('update-submit')).toHaveCount(0);
  await expect(stakeholder.getByTestId('resolve-submit')).toHaveCount(0);

  // Acknowledging proposes the playbook's first post; one tap sends it.
  await page.getByTestId('ack-button').click();
  await expect(page.getByTestId('update-known')).toHaveValue(FIRST_POST);
  await expect(page.getByTestId('response-countdown')).not.toHaveClass(/overdue/);
  // One tap sends it: the post button has the focus.
  await expect(page.getByTestId('update-submit')).toBeFocused();
  await page.getByTestId('update-submit').click();
  const stakeholderUpdates = stakeholder.locator('[data-testid="timeline-entry"][data-kind="status_update"]');
  await expect(stakeholderUpdates.filter({ hasText: FIRST_POST })).toHaveCount(1);

  await page.getByTestId('update-known').fill('ciam-kratos refuses connections');
  await page.getByTestId('update-trying').fill('restarting ciam-kratos');
  await page.getByTestId('update-submit').click();
  await expect(stakeholderUpdates.filter({ hasText: 'ciam-kratos refuses connections' })).toHaveCount(1);

  // A fault on the host lands on the timeline within a sweep, on both phones.
  sandbox('fault', 'refuse', 'ciam-kratos');
  const health = (p) => p.locator('[data-testid="timeline-entry"][data-kind="health"]').filter({ hasText: 'ciam-kratos' });
  await expect(health(page).first()).toBeVisible({ timeout: 15_000 });
  await expect(health(stakeholder).first()).toBeVisible({ timeout: 15_000 });
  await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-incident.png'), fullPage: true });

  // Resolution waits for restoration.
  await page.getByTestId('resolve-impact').fill('ciam logins failed for a few minutes');
  await page.getByTestId('resolve-submit').click();
  await expect(page.getByTestId('form-error').first()).toContainText('not confirmed');
  sandbox('fault', 'ok', 'ciam-kratos');
  await expect(health(page)).toHaveCount(2, { timeout: 15_000 }); // down, then recovered
  await page.getByTestId('resolve-submit').click();
  await expect(page.getByTestId('incident-phase')).toContainText('resolved');
  await expect(stakeholder.getByTestId('incident-phase')).toContainText('resolved');
  await stakeholder.screenshot({ path: path.join(root, 'target', 'e2e-phone-incident-stakeholder.png'), fullPage: true });
  await other.close();

  // The list shows it, resolved, below any open incident.
  await page.goto(gw.url + '/incidents');
  await expect(page.getByTestId(`incident-row-${id}`)).toContainText('resolved');
});

test('a channel message that keeps failing is shown, and a retry sends it', async ({ page }) => {
  let status = 500;
  const posts = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      posts.push(body);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'ok' : 'internal_error');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${receiver.address().port}/services/T1/B1/SECRETPART`;
  const gw2 = await startGateway(undefined, undefined, {
    AEGIS_INCIDENT_WEBHOOK_URL: hook,
    AEGIS_INCIDENT_CHANNEL: '#inc-olympus',
    AEGIS_INCIDENT_WEBHOOK_ATTEMPTS: '2',
    AEGIS_INCIDENT_WEBHOOK_BACKOFF_MS: '100',
  });
  try {
    const me = await signIn(page, gw2, 'responder');
    const declared = await page.request.post(`${gw2.url}/api/incidents`, {
      data: { title: 'Email not sending', broken: 'recovery emails stuck in the courier queue', severity: 'sev2' },
      headers: { 'x-csrf-token': me.csrf_token, origin: gw2.url },
    });
    expect(declared.status()).toBe(201);
    const { incident } = await declared.json();
    await page.goto(`${gw2.url}/incidents/${incident.id}`);

    const failed = page.locator('[data-testid="delivery-state"][data-state="failed"]');
    await expect(failed.first()).toBeVisible({ timeout: 15_000 });
    await expect(failed.first()).toContainText('HTTP 500');
    await expect(page.locator('body')).not.toContainText('SECRETPART');
    expect(posts.length).toBeGreaterThanOrEqual(2); // both attempts reached the receiver

    status = 200;
    await page.getByTestId('delivery-retry').first().click();
    await expect(page.locator('[data-testid="delivery-state"][data-state="delivered"]').first()).toBeVisible({ timeout: 15_000 });
    await expect(failed).toHaveCount(0);
    expect(posts.at(-1)).toContain('Email not sending');
  } finally {
    await gw2.stop();
    receiver.close();
  }
});

test('a missed status update is loud on every responder\'s screen until one is posted', async ({ page, browser }) => {
  // A one-minute cadence, so the test waits one minute rather than fifteen.
  const gw3 = await startGateway(undefined, undefined, { AEGIS_INCIDENT_CADENCE_MINUTES: '1' });
  const others = await browser.newContext(PHONE);
  try {
    const me = await signIn(page, gw3, 'responder');
    const headers = { 'x-csrf-token': me.csrf_token, origin: gw3.url };
    const declared = await page.request.post(`${gw3.url}/api/incidents`, {
      data: { title: 'Athena 500s on every admin route', broken: 'admin console unusable', severity: 'sev2' },
      headers,
    });
    expect(declared.status()).toBe(201);
    const { incident } = await declared.json();
    expect((await page.request.post(`${gw3.url}/api/incidents/${incident.id}/ack`, { data: {}, headers })).status()).toBe(200);

    // A commander watching the board, and a stakeholder, on other phones.
    const commander = await others.newPage();
    await signIn(commander, gw3, 'commander');
    await commander.goto(gw3.url + '/');
    const stakeholderContext = await browser.newContext(PHONE);
    const stakeholder = await stakeholderContext.newPage();
    await signIn(stakeholder, gw3, 'stakeholder');
    await stakeholder.goto(gw3.url + '/');

    await page.goto(`${gw3.url}/incidents/${incident.id}`);
    const cadence = page.getByTestId('update-countdown');
    await expect(cadence).toContainText(/0:[0-5]\d/);
    await expect(cadence).not.toHaveClass(/overdue/);
    await expect(page.getByTestId('overdue-banner')).toHaveCount(0);

    // The minute passes: the countdown turns OVERDUE and the banner appears on every responder's page.
    await expect(cadence).toHaveClass(/overdue/, { timeout: 90_000 });
    await expect(cadence).toContainText('OVERDUE');
    await expect(page.getByTestId('overdue-banner')).toContainText(`INC-${incident.id}`);
    await expect(commander.getByTestId('overdue-banner')).toContainText(`INC-${incident.id}`);
    await expect(stakeholder.getByTestId('overdue-banner')).toHaveCount(0);
    await commander.screenshot({ path: path.join(root, 'target', 'e2e-phone-overdue.png') });

    // An update restarts the cadence and quiets every screen.
    await page.getByTestId('update-known').fill('ENCRYPTION_KEY missing after the deploy');
    await page.getByTestId('update-submit').click();
    await expect(cadence).not.toHaveClass(/overdue/);
    await expect(page.getByTestId('overdue-banner')).toHaveCount(0);
    await expect(commander.getByTestId('overdue-banner')).toHaveCount(0);
    await stakeholderContext.close();
  } finally {
    await others.close();
    await gw3.stop();
  }
});
