// The first screen, measured: how long a cold load takes to show the login form, how long signing in
// takes to show the live board, and how long a signed-in cold load takes to the live board, on
// loopback and on an emulated phone (150 ms latency, 1.6 Mbit/s each way, CPU 4× slower, through
// Chromium's DevTools protocol). The cache is disabled, so every load fetches the whole bundle.
//
// The figures are printed (and written to target/e2e-first-screen.json), never asserted: the
// machine's load decides them. What is asserted is behaviour: the form shows, signing in reaches
// the live board, the wasm actually loads over the emulated link.
//
// Times come from the page's own clock (performance.now(), from the navigation's start): a
// MutationObserver installed before any script notes when each screen first appears, so
// Playwright's polling does not blur them.
import { test, expect } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sandbox, startGateway, root, PASSWORD } from './gateway.mjs';

let gw;
const figures = {};

test.beforeAll(async () => {
  sandbox('reset');
  gw = await startGateway();
});

test.afterAll(async () => {
  await gw?.stop();
  if (Object.keys(figures).length) {
    const file = path.join(root, 'target', 'e2e-first-screen.json');
    writeFileSync(file, JSON.stringify(figures, null, 2) + '\n');
    console.log(`first screen figures: ${file}`);
  }
});

const PHONE_VIEWPORT = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TILES = 13;

const PROFILES = {
  loopback: null,
  // A mid-range phone on a poor mobile link: 150 ms round trip, 200,000 bytes/s (1.6 Mbit/s) each
  // way, its CPU four times slower than this machine's.
  phone: { latency: 150, throughput: 200_000, cpu: 4 },
};

/** Runs in every document before the app: notes when each screen first appears. */
function installMarks(tiles) {
  const marks = {};
  window.__firstScreen = marks;
  const check = () => {
    const now = performance.now();
    if (marks.loginForm === undefined) {
      const submit = document.querySelector('[data-testid="login-submit"]');
      if (submit && submit.getClientRects().length > 0) marks.loginForm = now;
    }
    if (marks.boardLive === undefined
      && document.querySelector('[data-testid="conn"][data-state="live"]')
      && document.querySelectorAll('[data-testid^="check-"]').length >= tiles) {
      marks.boardLive = now;
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-testid', 'style', 'class'],
  });
  document.addEventListener('click', (e) => {
    if (marks.signInClick === undefined && e.target instanceof Element && e.target.closest('[data-testid="login-submit"]')) {
      marks.signInClick = performance.now();
    }
  }, true);
}

/** A fresh phone-sized context and page with `profile` applied through CDP, counting bytes received. */
async function openPage(browser, profile) {
  const context = await browser.newContext(PHONE_VIEWPORT);
  const page = await context.newPage();
  await page.addInitScript(installMarks, TILES);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (profile) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.latency,
      downloadThroughput: profile.throughput,
      uploadThroughput: profile.throughput,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  }
  const traffic = { bytes: 0, wasm: [] };
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    traffic.bytes += e.encodedDataLength;
    const url = urls.get(e.requestId) || '';
    if (url.endsWith('.wasm')) traffic.wasm.push({ url: new URL(url).pathname, bytes: e.encodedDataLength });
  });
  return { context, page, cdp, traffic };
}

/** The page's marks, once `name` is set. */
async function mark(page, name) {
  await page.waitForFunction((n) => window.__firstScreen && window.__firstScreen[n] !== undefined, name, { timeout: 60_000 });
  return page.evaluate(() => ({ ...window.__firstScreen }));
}

const ms = (x) => `${Math.round(x)} ms`;
const kb = (x) => `${(x / 1000).toFixed(1)} KB`;

for (const [name, profile] of Object.entries(PROFILES)) {
  test(`first screen on ${name}: cold load to the login form, sign-in to the live board, signed-in cold load to the live board`, async ({ browser }) => {
    test.setTimeout(120_000);
    const { context, page, cdp, traffic } = await openPage(browser, profile);
    try {
      // Cold, signed out: the login form.
      await page.goto(gw.url + '/', { waitUntil: 'commit' });
      await expect(page.getByTestId('login-submit')).toBeVisible({ timeout: 60_000 });
      const cold = await mark(page, 'loginForm');
      const coldBytes = traffic.bytes;
      const wasm = [...traffic.wasm];
      expect(wasm.length, 'the page fetched its wasm').toBeGreaterThan(0);

      // Sign in through the form: the live board.
      await page.getByTestId('login-name').fill('responder');
      await page.getByTestId('login-password').fill(PASSWORD);
      await page.getByTestId('login-submit').click();
      await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
      await expect(page.locator('[data-testid^="check-"]')).toHaveCount(TILES, { timeout: 60_000 });
      const signedIn = await mark(page, 'boardLive');
      expect(signedIn.signInClick, 'the click on sign-in was seen').toBeDefined();

      // Cold again, signed in (the session cookie stays, the cache is still off): the live board.
      traffic.bytes = 0;
      await page.goto(gw.url + '/', { waitUntil: 'commit' });
      await expect(page.getByTestId('conn')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
      const warm = await mark(page, 'boardLive');

      const result = {
        navigationToLoginFormMs: Math.round(cold.loginForm),
        signInToBoardLiveMs: Math.round(signedIn.boardLive - signedIn.signInClick),
        signedInNavigationToBoardLiveMs: Math.round(warm.boardLive),
        coldLoadBytes: coldBytes,
        wasm,
        profile: profile || 'none',
      };
      figures[name] = result;
      console.log(
        `first screen [${name}]: navigation → login form ${ms(result.navigationToLoginFormMs)}; `
        + `sign-in → live board ${ms(result.signInToBoardLiveMs)}; `
        + `signed-in navigation → live board ${ms(result.signedInNavigationToBoardLiveMs)}; `
        + `cold load transferred ${kb(coldBytes)} (wasm ${wasm.map((w) => `${w.url} ${kb(w.bytes)}`).join(', ')})`,
      );
    } finally {
      await cdp.detach().catch(() => {});
      await context.close();
    }
  });
}
