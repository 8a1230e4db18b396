// Actions on the host from a phone, against the real gateway and the sandbox host over SSH:
// the email playbook leads a responder to a restart of the stopped courier worker that empties
// the queue; during a declared credential compromise a responder asks for every CIAM session to be
// revoked, a second commander approves it from another phone with their password, the sandbox's
// active sessions go to 0, and both timelines say so.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gatewayForFile, sandbox, signIn, root, PASSWORD } from './gateway.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const sandboxDir = process.env.AEGIS_SANDBOX_DIR || path.join(root, '.sandbox');

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

/** The stand-in Kratos's counters (`key=value` lines) for the ciam scope. */
function kratosCounts() {
  const text = readFileSync(path.join(sandboxDir, 'ory', 'ciam-kratos', 'counts'), 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((l) => l.split('=')).map(([k, v]) => [k, Number(v)]));
}

async function declare(page, me, body) {
  const r = await page.request.post(`${gw.url}/api/incidents`, {
    data: body,
    headers: { origin: gw.url, 'x-csrf-token': me.csrf_token },
  });
  expect(r.status()).toBe(201);
  return (await r.json()).incident.id;
}

test('the email playbook restarts the stopped courier worker and the queue empties', async ({ browser }) => {
  sandbox('fault', 'courier-stuck', 'ciam-kratos');
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const me = await signIn(page, gw, 'responder');
  const id = await declare(page, me, { title: 'No recovery emails', broken: 'recovery and verification mail', severity: 'sev3' });

  await page.goto(`${gw.url}/incidents/${id}`);
  const panel = page.getByTestId('walkthroughs');
  await panel.getByTestId('start-email-not-sending').click();
  const step = panel.getByTestId('current-step');
  await expect(step).toHaveAttribute('data-step', 'queue');
  await step.getByTestId('step-main').click();
  await expect(step).toHaveAttribute('data-kind', 'decision');
  await expect(step.getByTestId('step-result')).toContainText('queued');
  await step.locator('[data-testid^="branch-"]', { hasText: 'restart it' }).click();

  // The step carries its action: plan it, review what it touches, confirm by typing the name.
  await expect(step).toHaveAttribute('data-step', 'worker');
  await step.getByTestId('step-action').click();
  const planner = page.getByTestId('planner');
  await expect(planner).toBeInViewport();
  await planner.getByTestId('review-plan').click();
  await expect(planner.getByTestId('blast-radius')).toContainText('restarts olympus-ciam-kratos');
  await expect(planner.getByTestId('blast-radius')).toContainText('queued');
  await planner.getByTestId('plan-commands').click();
  await expect(planner.getByTestId('plan-commands')).toContainText('podman restart --time 10 -- olympus-ciam-kratos');
  await planner.getByTestId('run-action').click();
  await expect(planner.getByTestId('plan-error')).toContainText('type `olympus-ciam-kratos` to confirm');
  await planner.getByTestId('confirm').fill('olympus-ciam-kratos');
  await planner.getByTestId('run-action').click();

  const result = planner.getByTestId('action-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(result).toContainText(/queued before, 0 after/);
  await expect(result).toContainText('abandoned messages were not resent');
  // The walkthrough moved on by itself: the action's result completed the step.
  await expect(panel.getByTestId('current-step')).toHaveAttribute('data-step', 'provider');
  await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-courier-flush.png') });
  const timeline = page.locator('[data-testid="timeline-entry"][data-kind="action"]');
  await expect(timeline.filter({ hasText: 'done in' })).toHaveCount(1);
  await ctx.close();
});

test('a mass revocation waits for a second commander, then every CIAM session is gone', async ({ browser }) => {
  // A second commander to approve.
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  const boss = await signIn(adminPage, gw, 'commander');
  const made = await adminPage.request.post(`${gw.url}/api/users`, {
    data: { name: 'cleo', role: 'commander', password: PASSWORD },
    headers: { origin: gw.url, 'x-csrf-token': boss.csrf_token },
  });
  expect(made.status()).toBe(201);
  await admin.close();
  expect(kratosCounts().sessions_active).toBeGreaterThan(0);

  const asker = await browser.newContext(PHONE);
  const page = await asker.newPage();
  const me = await signIn(page, gw, 'responder');
  const id = await declare(page, me, {
    title: 'Credential stuffing succeeded',
    broken: 'accounts taken over',
    severity: 'sev1',
    compromise: true,
  });
  await page.goto(`${gw.url}/incidents/${id}`);
  const actions = page.getByTestId('actions');
  await actions.getByTestId('action-list').locator('summary').click();
  await actions.getByTestId('action-revoke-sessions').click();
  const planner = actions.getByTestId('planner');
  await planner.getByTestId('review-plan').click();
  const before = kratosCounts().sessions_active;
  await expect(planner.getByTestId('blast-radius')).toContainText(`revokes ${before.toLocaleString('en-US')} active sessions of 2,400 ciam identities`);
  await planner.getByTestId('confirm').fill('ciam');
  await planner.getByTestId('run-action').click();
  await expect(planner.getByTestId('action-result')).toHaveAttribute('data-state', 'pending');
  // Nothing ran yet.
  expect(kratosCounts().sessions_active).toBe(before);
  // The requester sees it waiting, and cannot approve it.
  await expect(actions.getByTestId('action-waiting')).toBeVisible();
  await expect(actions.getByTestId('approve')).toHaveCount(0);

  // The second commander, on another phone, sees the same plan live and approves it.
  const approver = await browser.newContext(PHONE);
  const other = await approver.newPage();
  const login = await other.request.post(`${gw.url}/api/login`, { data: { name: 'cleo', password: PASSWORD }, headers: { origin: gw.url } });
  expect(login.status()).toBe(200);
  await other.goto(`${gw.url}/incidents/${id}`);
  const waiting = other.getByTestId('action-waiting');
  await expect(waiting).toContainText('Revoke every session of a scope');
  await expect(waiting.getByTestId('blast-radius')).toContainText('active sessions of 2,400 ciam identities');
  await waiting.getByTestId('approve-password').fill('not my password');
  await waiting.getByTestId('approve').click();
  await expect(other.getByTestId('actions-error')).toContainText('wrong password');
  expect(kratosCounts().sessions_active).toBe(before);
  await waiting.getByTestId('approve-password').fill(PASSWORD);
  await waiting.getByTestId('approve').click();

  // Both phones see it finish; the sandbox has no active session left.
  for (const p of [page, other]) {
    await expect(p.locator('[data-testid="action-finished"][data-state="done"]')).toHaveCount(1, { timeout: 120_000 });
    await expect(p.locator('[data-testid="timeline-entry"][data-kind="action"]').filter({ hasText: 'approved by cleo' })).toHaveCount(1);
    await expect(p.locator('[data-testid="timeline-entry"][data-kind="action"]').filter({ hasText: 'Revoked the sessions of 2,400 ciam identities' })).toHaveCount(1);
  }
  expect(kratosCounts().sessions_active).toBe(0);
  await other.screenshot({ path: path.join(root, 'target', 'e2e-phone-approval.png') });
  await asker.close();
  await approver.close();
});
