// Benchmark and check: for each kind of walkthrough probe, the time from pressing its button on a
// phone to its interpreted result on screen, against the sandbox host over real SSH; and, in the
// same run, the same probe through the API alone (the gateway's SSH round trips and the reading),
// so that the ratio is the page's share. Prints a table. `cargo xtask bench probes` runs this file
// alone; `cargo xtask test` runs it with the rest (every probe must show a result).
import { test, expect } from '@playwright/test';
import { gatewayForFile, signIn } from './gateway.mjs';

const ROUNDS = 5;
// One probe step of each kind, in a playbook that reaches it.
const PROBES = [
  { kind: 'board', playbook: 'first-response', step: 'whats-broken' },
  { kind: 'container_logs', playbook: 'database-tls', step: 'logs' },
  { kind: 'database_certificate', playbook: 'database-tls', step: 'certificate' },
  { kind: 'served_certificate', playbook: 'caddy-certificate', step: 'served-ciam' },
  { kind: 'container_env', playbook: 'csrf-violation', step: 'cookie-env' },
  { kind: 'courier_queue', playbook: 'email-not-sending', step: 'queue' },
  { kind: 'admin_routes', playbook: 'athena-500s', step: 'routes' },
];

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

/**
 * Presses `button` and measures, in the page, from the click to the next frame after the current
 * step's finding changed (its `data-at`): Playwright's own polling would add its interval.
 */
async function timed(page, button) {
  const found = page.getByTestId('current-step').getByTestId('step-result');
  const before = (await found.count()) ? await found.getAttribute('data-at') : null;
  await page.evaluate((before) => {
    const t = { start: null, end: null };
    window.__probeTiming = t;
    document.addEventListener('click', () => { t.start = performance.now(); }, { capture: true, once: true });
    const observer = new MutationObserver(() => {
      const el = document.querySelector('[data-testid="current-step"] [data-testid="step-result"]');
      if (t.start === null || !el || el.dataset.at === before) return;
      observer.disconnect();
      requestAnimationFrame(() => { t.end = performance.now(); });
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }, before);
  await button.click();
  await page.waitForFunction(() => window.__probeTiming.end !== null);
  return page.evaluate(() => Math.round(window.__probeTiming.end - window.__probeTiming.start));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

test('each probe kind: from pressing its button to its result on screen', async ({ page }) => {
  test.setTimeout(240_000);
  const me = await signIn(page, gw, 'responder');
  const headers = { origin: gw.url, 'x-csrf-token': me.csrf_token };
  const api = async (method, url, data) => {
    const r = await page.request.fetch(`${gw.url}${url}`, { method, data, headers });
    expect(r.status(), `${method} ${url}: ${await r.text()}`).toBeLessThan(300);
    return r.json();
  };
  const catalog = await api('GET', '/api/playbooks');
  const covered = new Set(PROBES.map((p) => p.kind));
  const shipped = new Set(catalog.playbooks.flatMap((p) => p.steps.map((s) => s.probe).filter(Boolean)));
  expect([...shipped].filter((k) => !covered.has(k)), 'every probe kind the catalog uses is timed').toEqual([]);

  const rows = [];
  for (const probe of PROBES) {
    const playbook = catalog.playbooks.find((p) => p.id === probe.playbook);
    const declared = await api('POST', '/api/incidents', {
      title: `timing ${probe.kind}`, broken: 'benchmark', severity: 'sev3',
    });
    const id = declared.incident.id;
    let run = await api('POST', `/api/incidents/${id}/playbooks`, { playbook: probe.playbook });
    // Walk by the API up to the probe step.
    while (run.current !== probe.step) {
      const step = playbook.steps.find((s) => s.id === run.current);
      expect(step, `${probe.playbook} passes ${probe.step}`).toBeTruthy();
      if (step.kind === 'probe') {
        run = await api('POST', `/api/incidents/${id}/playbooks/${run.id}/steps/${step.id}/run`);
      } else {
        const outcome = step.kind === 'decision' ? { chose: run.recommended ?? 0 } : step.kind === 'external' ? 'checked' : 'done';
        run = await api('POST', `/api/incidents/${id}/playbooks/${run.id}/steps`, { step: step.id, outcome });
      }
    }

    // On screen: the first press is the step's own button; then "Run the check again" on the
    // finding it left above the next step. The result is on screen when the finding's time changes.
    await page.goto(`${gw.url}/incidents/${id}`);
    const panel = page.getByTestId('walkthroughs');
    const current = panel.getByTestId('current-step');
    await expect(current).toHaveAttribute('data-step', probe.step);
    const screen = [await timed(page, current.getByTestId('step-main'))];
    const found = current.getByTestId('step-result');
    await expect(found).toContainText(playbook.steps.find((s) => s.id === probe.step).title);
    for (let i = 1; i < ROUNDS; i++) {
      screen.push(await timed(page, found.getByTestId('run-again')));
    }
    await expect(found).toContainText(playbook.steps.find((s) => s.id === probe.step).title);

    // The API alone, same probe, same gateway, same host.
    const alone = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = Date.now();
      const after = await api('POST', `/api/incidents/${id}/playbooks/${run.id}/steps/${probe.step}/run`);
      alone.push(Date.now() - t);
      expect(after.records.at(-1).outcome).toHaveProperty('probed');
    }
    rows.push({ kind: probe.kind, screen: median(screen), api: median(alone) });
  }

  console.log(`\nprobe → interpreted result (median of ${ROUNDS}, phone viewport, sandbox over SSH)`);
  console.log('probe                  on screen    API alone   screen/API');
  for (const r of rows) {
    console.log(`${r.kind.padEnd(22)} ${String(r.screen).padStart(6)} ms ${String(r.api).padStart(8)} ms ${(r.screen / Math.max(r.api, 1)).toFixed(2).padStart(9)}×`);
  }
});
