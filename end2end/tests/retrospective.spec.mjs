// After the incident, on a phone: a Sev 2 resolved, its 48-hour countdown on the incident and the
// board, the retrospective pre-filled from the record, one action item with an owner and a due
// date, finished, exported as Markdown, and read by a stakeholder.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { gatewayForFile, signIn, root } from './gateway.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let gw;
gatewayForFile(test, (g) => {
  gw = g;
});

test('a resolved Sev 2 gets its retrospective written, finished, exported and read', async ({ page, browser }) => {
  await signIn(page, gw, 'responder');
  await page.goto(gw.url + '/incidents/new');
  await page.getByTestId('declare-title').fill('Recovery emails not arriving');
  await page.getByTestId('declare-broken').fill('Users report missing recovery emails');
  await page.getByTestId('severity-sev2').check();
  await page.getByTestId('declare-submit').click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  const id = page.url().split('/').pop();
  await page.getByTestId('ack-button').click();
  await expect(page.getByTestId('incident-phase')).toHaveAttribute('data-phase', 'acknowledged');

  // A commander follows the incident on another phone.
  const watching = await browser.newContext(PHONE);
  const commander = await watching.newPage();
  await signIn(commander, gw, 'commander');
  await commander.goto(`${gw.url}/incidents/${id}`);
  const seen = commander.locator('[data-testid="timeline-entry"][data-kind="acknowledged"]');
  await expect(seen.getByTestId('entry-star')).toHaveAttribute('aria-pressed', 'false');

  // Star the acknowledgement: the retrospective's timeline leads with it.
  const ack = page.locator('[data-testid="timeline-entry"][data-kind="acknowledged"]');
  await ack.getByTestId('entry-star').click();
  await expect(ack.getByTestId('entry-star')).toHaveAttribute('aria-pressed', 'true');
  await ack.getByTestId('entry-mitigation').click();
  await expect(ack.getByTestId('entry-mitigation')).toHaveAttribute('aria-pressed', 'true');
  // The commander's timeline shows both marks as they are made, without a reload.
  await expect(seen.getByTestId('entry-star')).toHaveAttribute('aria-pressed', 'true');
  await expect(seen.getByTestId('entry-mitigation')).toHaveAttribute('aria-pressed', 'true');
  await watching.close();

  await page.getByTestId('resolve-impact').fill('Recovery emails were 20 minutes late');
  await page.getByTestId('resolve-submit').click();
  await expect(page.getByTestId('incident-phase')).toHaveAttribute('data-phase', 'resolved');

  // The 48-hour countdown, on the incident and on the board.
  const due = page.getByTestId('retro-due');
  await expect(due).toContainText(/Retrospective due in 4[78]:\d\d:\d\d/);
  await expect(due).toHaveAttribute('data-overdue', 'false');
  await page.goto(gw.url + '/incidents');
  const row = page.getByTestId(`incident-row-${id}`);
  await expect(row).toHaveAttribute('data-phase', 'resolved');
  await expect(row.locator('.row-deadline')).toContainText(/Retrospective due in 4[78]:\d\d:\d\d/);
  await page.goto(gw.url + '/');
  const board = page.getByTestId('retros-due');
  await expect(board).toContainText(`INC-${id}: Recovery emails not arriving`);
  await expect(board.getByTestId('retro-due-countdown')).toContainText(/Retrospective due in 4[78]:/);
  await board.getByRole('link', { name: `INC-${id}: Recovery emails not arriving` }).click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${id}/retrospective$`));

  // Pre-filled from the record; the starred entry first.
  await expect(page.getByTestId('retro-summary')).toHaveValue(/Recovery emails not arriving/);
  await expect(page.getByTestId('retro-impact')).toHaveValue(/Recovery emails were 20 minutes late/);
  await expect(page.getByTestId('retro-impact')).toHaveValue(/Time to first response: \d+ min/);
  await expect(page.getByTestId('retro-countdown')).toContainText('Due in');
  const record = page.getByTestId('retro-timeline');
  await expect(record.locator('li').first()).toContainText('Acknowledged');
  await expect(record.locator('li.starred')).toHaveCount(1);

  // The root cause, with its preview; then save.
  await page.getByTestId('retro-root_cause').fill('The courier worker stopped after a **deploy**.');
  await expect(page.locator('.md-preview strong', { hasText: 'deploy' })).toBeVisible();
  // An item half typed while the text is saved stays as typed.
  await page.getByTestId('retro-add-item').click();
  await page.getByTestId('item-form-title').fill('Alert when the courier queue grows');
  await page.getByTestId('retro-save').click();
  await expect(page.getByTestId('form-note').first()).toContainText('Saved as version 1');
  await expect(page.getByTestId('item-form-title')).toHaveValue('Alert when the courier queue grows');

  // Finishing needs an owned, dated item, and says so.
  await expect(page.getByTestId('retro-missing')).toContainText('at least one action item with an owner and a due date');
  await page.getByTestId('item-form-owner').selectOption('responder');
  await page.getByTestId('item-form-due').fill('2026-12-31');
  await page.getByTestId('item-form-done-when').fill('An alert fires within 5 minutes of a stuck queue');
  await page.getByTestId('item-form-save').click();
  const item = page.getByTestId('action-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('item-owner')).toHaveText('responder');
  await expect(item.getByTestId('item-due')).toHaveText('due 2026-12-31');

  await page.getByTestId('retro-finish').click();
  await expect(page.getByTestId('retro-state')).toContainText('Finished by responder');
  await expect(page.getByTestId('retro-editor')).toHaveCount(0);
  await expect(page.getByTestId('retro-read')).toContainText('The courier worker stopped after a deploy.');
  await page.screenshot({ path: path.join(root, 'target', 'e2e-phone-retrospective.png'), fullPage: true });

  // Exported as one Markdown file with every section and the item.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('retro-export').click(),
  ]);
  expect(download.suggestedFilename()).toBe(`INC-${id}-retrospective.md`);
  const md = fs.readFileSync(await download.path(), 'utf8');
  for (const heading of ['## Summary', '## Impact', '## Timeline', '## Root cause', '## What went well', "## What didn't", '## Action items']) {
    expect(md).toContain(heading);
  }
  expect(md).toContain('Alert when the courier queue grows');
  expect(md).toContain('2026-12-31');

  // The countdown stopped; the incident says where to read it.
  await page.goto(`${gw.url}/incidents/${id}`);
  await expect(page.getByTestId('retro-due')).toHaveText('Retrospective finished');

  // The owner sees theirs on the board, and all of them at /actions.
  await page.goto(gw.url + '/');
  const mine = page.getByTestId('my-items');
  await expect(mine).toContainText('You own 1 open action item(s), 0 overdue');
  await expect(mine).toContainText('Alert when the courier queue grows');
  await expect(page.getByTestId('retros-due')).toHaveCount(0); // finished: nothing counts down
  await mine.getByRole('link', { name: 'All your action items' }).click();
  await expect(page).toHaveURL(/\/actions\?owner=me$/);
  const listed = page.getByTestId('items-list').getByTestId('action-item');
  await expect(listed).toHaveCount(1);
  await expect(listed.getByTestId('item-title')).toHaveText('Alert when the courier queue grows');
  await expect(listed).toContainText(`INC-${id}: Recovery emails not arriving`);

  // A stakeholder reads the finished retrospective, without any control.
  const other = await browser.newContext(PHONE);
  const stakeholder = await other.newPage();
  await signIn(stakeholder, gw, 'stakeholder');
  await stakeholder.goto(`${gw.url}/incidents/${id}`);
  await stakeholder.getByRole('link', { name: 'Read the retrospective' }).click();
  await expect(stakeholder.getByTestId('retro-read')).toContainText('The courier worker stopped after a deploy.');
  await expect(stakeholder.getByTestId('item-title')).toHaveText('Alert when the courier queue grows');
  await expect(stakeholder.getByTestId('retro-editor')).toHaveCount(0);
  await expect(stakeholder.getByTestId('item-edit')).toHaveCount(0);
  await expect(stakeholder.getByTestId('retro-findings')).toHaveCount(0);
  await other.close();
});
