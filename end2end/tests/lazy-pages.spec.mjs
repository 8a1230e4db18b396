// The pages whose code loads on demand (every page but the login form and the board: wasm chunks
// that `cargo xtask build-web` splits off): opened from the menu they load; when their chunk cannot be
// fetched the app stays up, says so, and the next visit fetches again.
import { test, expect } from '@playwright/test';
import { gatewayForFile, signIn } from './gateway.mjs';

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

test.beforeEach(async ({ page }) => {
  await signIn(page, gw, 'commander');
});

const CHUNK = /\/pkg\/(split|chunk)_[^/]*\.wasm$/;

test('a page whose code cannot be fetched says so, the board keeps working, and the next visit loads it', async ({ page }) => {
  const chunks = [];
  let offline = false;
  await page.route(CHUNK, (route) => {
    chunks.push(new URL(route.request().url()).pathname);
    return offline ? route.abort() : route.continue();
  });
  await page.goto(gw.url + '/');
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');
  // The first screen needs no chunk.
  expect(chunks).toEqual([]);

  offline = true;
  await page.getByTestId('nav-users').click();
  await expect(page.getByTestId('page-not-loaded')).toBeVisible();
  expect(chunks.length).toBeGreaterThan(0);

  await page.getByTestId('nav-board').click();
  await expect(page.locator('[data-testid^="check-"]')).toHaveCount(13);
  await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live');

  offline = false;
  await page.getByTestId('nav-users').click();
  await expect(page.getByTestId('users')).toBeVisible();
  await expect(page.getByTestId('page-not-loaded')).toHaveCount(0);

  // The other lazy pages, from the menu.
  await page.getByTestId('nav-share-links').click();
  await expect(page.getByTestId('share-label')).toBeVisible();
  await page.getByTestId('nav-incidents').click();
  await expect(page.getByTestId('declare-button')).toBeVisible();
  await page.getByTestId('declare-button').click();
  await expect(page.getByTestId('declare-title')).toBeVisible();
});
