// The SPA's own router (app/src/model/route.rs, app/src/components/router.rs): links and Back move
// between pages without reloading the app (the live socket stays up), the nav marks where you are,
// a plain link in page text navigates in place too, and an unknown path says so.
import { test, expect } from '@playwright/test';
import { gatewayForFile, signIn, PASSWORD } from './gateway.mjs';

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

test('links and Back move between pages in place, and the nav marks the current one', async ({ page }) => {
  await signIn(page, gw, 'commander');
  await page.goto(gw.url + '/');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  // A reload would drop this.
  await page.evaluate(() => { window.__sameApp = true; });
  await expect(page.getByTestId('nav-board')).toHaveAttribute('aria-current', 'page');

  await page.getByTestId('nav-incidents').click();
  await expect(page).toHaveURL(gw.url + '/incidents');
  await expect(page.getByTestId('declare-button')).toBeVisible();
  await expect(page.getByTestId('nav-incidents')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('nav-board')).not.toHaveAttribute('aria-current', 'page');

  await page.getByTestId('nav-users').click();
  await expect(page.getByTestId('users')).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(gw.url + '/incidents');
  await expect(page.getByTestId('declare-button')).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(gw.url + '/');
  await expect(page.locator('[data-testid^="check-"]')).toHaveCount(13);
  await page.goForward();
  await expect(page.getByTestId('declare-button')).toBeVisible();

  expect(await page.evaluate(() => window.__sameApp)).toBe(true);
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
});

test('an unknown path says so, and its plain link back to the board navigates in place', async ({ page }) => {
  await signIn(page, gw, 'responder');
  await page.goto(gw.url + '/no/such/page?x=1');
  await expect(page.getByTestId('not-found')).toContainText('/no/such/page');
  await page.evaluate(() => { window.__sameApp = true; });
  await page.getByRole('link', { name: 'Back to the health board' }).click();
  await expect(page).toHaveURL(gw.url + '/');
  await expect(page.locator('[data-testid^="check-"]')).toHaveCount(13);
  expect(await page.evaluate(() => window.__sameApp)).toBe(true);
});

test('signed out, a deep link goes to sign-in and back to where it pointed', async ({ page }) => {
  await page.goto(gw.url + '/incidents?state=all');
  await expect(page).toHaveURL(gw.url + '/login?next=%2Fincidents%3Fstate%3Dall');
  await page.getByTestId('login-name').fill('responder');
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(gw.url + '/incidents?state=all');
  await expect(page.getByTestId('declare-button')).toBeVisible();
  // The sign-in page was replaced, not stacked: Back does not return to it.
  await page.goBack();
  await expect(page).not.toHaveURL(/\/login/);
});
