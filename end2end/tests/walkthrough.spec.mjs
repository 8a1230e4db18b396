// A guided playbook on a phone, against the real gateway and the sandbox host: a responder starts
// the CSRF-violation walkthrough on an incident, runs its checks on the host over SSH (podman exec
// env, podman logs), gets a recommended branch, and a stakeholder on another phone follows the
// walkthrough on the timeline without its notes.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { gatewayForFile, sandbox, signIn, root } from './gateway.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

test('a responder walks a playbook step by step and a stakeholder follows it', async ({ page, browser }) => {
  const me = await signIn(page, gw, 'responder');
  const declared = await page.request.post(`${gw.url}/api/incidents`, {
    data: { title: 'Logins fail with csrf violations', broken: 'every login at Hera', severity: 'sev1' },
    headers: { origin: gw.url, 'x-csrf-token': me.csrf_token },
  });
  expect(declared.status()).toBe(201);
  const id = (await declared.json()).incident.id;

  await page.goto(`${gw.url}/incidents/${id}`);
  const panel = page.getByTestId('walkthroughs');
  await expect(panel).toBeVisible();
  // The board suggests nothing (all up): every playbook is offered as is.
  await panel.getByTestId('start-csrf-violation').click();

  // Step 1, a probe: the spec's command is there for reference, the console runs the real one.
  const step = panel.getByTestId('current-step');
  await expect(step).toHaveAttribute('data-step', 'cookie-env');
  await expect(step).toContainText('On real Ory');
  await step.getByTestId('step-main').click();
  await expect(step).toHaveAttribute('data-step', 'violations');

  // Step 2, the log probe; then the decision, recommended branch first.
  await step.getByTestId('step-main').click();
  await expect(step).toHaveAttribute('data-kind', 'decision');
  const first = step.locator('[data-testid^="branch-"]').first();
  await expect(first).toHaveAttribute('data-recommended', 'true');
  await expect(first).toContainText('Unchanged');
  // The decision shows what its check found.
  await expect(step.getByTestId('step-result')).toContainText('variables starting with SECRETS_, COOKIE');

  await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-walkthrough.png'), fullPage: false });
  console.log(`phone screenshot: ${path.join(root, 'target', 'e2e-phone-walkthrough.png')}`);

  // Skipping needs a reason; with one, the choice is recorded and the walkthrough ends.
  await step.getByTestId('step-note').fill('checked the base URL by hand');
  await first.click();
  await expect(panel.getByTestId('current-step')).toHaveCount(0);
  await expect(panel.getByTestId('start-csrf-violation')).toContainText('walked before');

  // A stakeholder sees the walkthrough on the timeline, without the note.
  const other = await browser.newContext(PHONE);
  const stakeholder = await other.newPage();
  await signIn(stakeholder, gw, 'stakeholder');
  await stakeholder.goto(`${gw.url}/incidents/${id}`);
  const entries = stakeholder.locator('[data-testid="timeline-entry"][data-kind="walkthrough"]');
  await expect(entries).toHaveCount(4);
  await expect(entries.filter({ hasText: 'chose' })).toHaveCount(1);
  await expect(stakeholder.getByText('checked the base URL by hand')).toHaveCount(0);
  await expect(stakeholder.getByTestId('walkthroughs')).toHaveCount(0);
  await other.close();
});

test('an alert link declares with the playbook ready and the service in scope', async ({ page }) => {
  await signIn(page, gw, 'responder');
  await page.goto(`${gw.url}/incidents/new?playbook=database-tls&service=ciam-kratos`);
  await expect(page.getByTestId('declare-playbook')).toContainText('Database TLS handshake failures');
  await page.getByTestId('declare-title').fill('Kratos logs TLS handshake failures');
  await page.getByTestId('declare-broken').fill('every Kratos and Hydra');
  await page.getByTestId('severity-sev1').check();
  await page.getByTestId('declare-submit').click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  const id = page.url().split('/').pop();
  const step = page.getByTestId('walkthroughs').getByTestId('current-step');
  await expect(step).toHaveAttribute('data-step', 'logs');
  const detail = await (await page.request.get(`${gw.url}/api/incidents/${id}`)).json();
  expect(detail.incident.scope.services).toContain('ciam-kratos');

  // A name that is no playbook is said, and declaring still works without one.
  await page.goto(`${gw.url}/incidents/new?playbook=yoga`);
  await expect(page.getByTestId('declare-playbook')).toContainText('no playbook “yoga”');
});

test('an expired database certificate: the board points to database TLS, the walkthrough finds it expired and points to rotation', async ({ page, browser }) => {
  sandbox('fault', 'pg-cert-expired');
  try {
    const me = await signIn(page, gw, 'responder');
    const declared = await page.request.post(`${gw.url}/api/incidents`, {
      data: { title: 'Kratos and Hydra down', broken: 'every login', severity: 'sev1' },
      headers: { origin: gw.url, 'x-csrf-token': me.csrf_token },
    });
    expect(declared.status()).toBe(201);
    const id = (await declared.json()).incident.id;

    // Every Kratos and Hydra fails its handshake with the database: the board says which playbook,
    // and leads to the open incident rather than to a second declaration.
    await page.goto(`${gw.url}/`);
    const hint = page.locator('[data-testid="board-suggestion"][data-playbook="database-tls"]');
    await expect(hint).toBeVisible({ timeout: 45_000 });
    await expect(hint).toContainText('share the database');
    await expect(hint.getByTestId('walk-suggested')).toHaveAttribute('href', '/incidents/new?playbook=database-tls');
    await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-board-suggestion.png') });
    await hint.getByTestId('walk-on-open').click();
    await expect(page).toHaveURL(`${gw.url}/incidents/${id}`);

    // The incident's panel offers the same playbook first; the responder accepts it.
    const panel = page.getByTestId('walkthroughs');
    await panel.getByTestId('suggested').getByTestId('start-database-tls').click();
    const step = panel.getByTestId('current-step');
    await expect(step).toHaveAttribute('data-step', 'logs');
    await step.getByTestId('step-main').click();
    // What the log check found sits above the next step.
    await expect(step).toHaveAttribute('data-step', 'certificate');
    await expect(step.getByTestId('step-result')).toContainText('TLS handshake failed');
    await step.getByTestId('step-main').click();

    await expect(step).toHaveAttribute('data-kind', 'decision');
    await expect(step.getByTestId('step-result')).toContainText('expired 2 days ago');
    const first = step.locator('[data-testid^="branch-"]').first();
    await expect(first).toHaveAttribute('data-recommended', 'true');
    await expect(first).toContainText('rotate the certificate');
    // Readable on the phone without zooming: the finding and the recommendation fit the width.
    const box = await step.getByTestId('step-result').boundingBox();
    expect(box.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-database-tls.png') });
    console.log(`phone screenshots: ${path.join(root, 'target', 'e2e-phone-board-suggestion.png')}, ${path.join(root, 'target', 'e2e-phone-database-tls.png')}`);

    await first.click();
    await expect(step).toHaveAttribute('data-step', 'rotate');
    await expect(step).toContainText('Cert Rotation');

    // A stakeholder follows on another phone: the steps and what they found, not the output.
    const other = await browser.newContext(PHONE);
    const stakeholder = await other.newPage();
    await signIn(stakeholder, gw, 'stakeholder');
    await stakeholder.goto(`${gw.url}/incidents/${id}`);
    const entries = stakeholder.locator('[data-testid="timeline-entry"][data-kind="walkthrough"]');
    await expect(entries.filter({ hasText: 'expired 2 days ago' })).toHaveCount(1);
    await expect(entries.filter({ hasText: 'chose “Expired: rotate the certificate”' })).toHaveCount(1);
    await expect(stakeholder.getByTestId('walkthroughs')).toHaveCount(0);
    await expect(stakeholder.getByText('verification:')).toHaveCount(0);
    await expect(stakeholder.getByText('Unable to ping the database')).toHaveCount(0);
    await stakeholder.screenshot({ path: path.join(root, 'target', 'e2e-phone-stakeholder-walkthrough.png') });
    await other.close();
  } finally {
    sandbox('reset');
  }
});
