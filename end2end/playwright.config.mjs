// Playwright drives Debian's Chromium (/usr/bin/chromium): a browser download is not possible here.
// The gateway is started by the suite itself (see tests/gateway.mjs) against the sandbox host.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  // The tests share one sandbox host and inject faults into it: one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'phone', use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
  ],
});
