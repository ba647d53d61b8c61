// Screenshots of the main views into docs/webmail/ (npm run screenshots). Skipped in
// the normal e2e run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ALICE, BOB, Postamt, WEB_DIR, launch, message, newPage, row, signIn } from './harness';

const OUT = path.resolve(WEB_DIR, '..', 'docs', 'webmail');
const enabled = process.env.POSTAMT_SCREENSHOTS === '1';
let pa: Postamt;
let browser: Browser;

const NEWSLETTER = `<div style="font-family:Georgia,serif;max-width:560px">
<h1 style="color:#0b57d0">Autumn garden notes</h1>
<p>The pumpkins are in, the apple press is cleaned, and the <b>community dinner</b> is on Saturday.</p>
<img src="https://images.example.net/pumpkins.jpg" alt="Pumpkins" width="480" height="200">
<p>Bring a dish, a chair and a friend. <a href="https://garden.example.net/dinner">Details</a></p></div>`;

describe.skipIf(!enabled)('screenshots', () => {
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    pa = new Postamt();
    pa.setup();
    await pa.start();
    const mail = (subject: string, from: string, body: string, headers?: Record<string, string>) =>
      pa.smtp(BOB.email, [ALICE.email], message({ from, to: ALICE.email, subject, body, headers }));
    mail('Lunch on Thursday?', `Bob Baker <${BOB.email}>`, 'Shall we try the new place by the river?');
    mail('Invoice 2026-114', 'Accounts <bob@example.test>', 'Please find the invoice for November attached.');
    mail('Minutes of the board meeting', `Bob Baker <${BOB.email}>`, 'Attached are the minutes; please check item 4.');
    pa.smtp(BOB.email, [ALICE.email], message({ from: 'Garden Club <bob@example.test>', to: ALICE.email, subject: 'Autumn garden notes', html: NEWSLETTER }));
    mail('Contract draft — please confirm', `Bob Baker <${BOB.email}>`, 'Here is the contract draft we discussed.\nPlease confirm you have read it.', { 'Disposition-Notification-To': BOB.email });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await pa?.stop();
  });

  it('takes them', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Lunch on Thursday?').waitFor();
    await page.screenshot({ path: path.join(OUT, 'list.png') });
    await row(page, 'Autumn garden notes').click();
    await page.frameLocator('iframe.body-frame').locator('h1').waitFor();
    await page.screenshot({ path: path.join(OUT, 'reading.png') });
    await row(page, 'Contract draft — please confirm').click();
    await page.getByRole('dialog').filter({ hasText: 'read receipt' }).waitFor();
    await page.screenshot({ path: path.join(OUT, 'receipt-prompt.png') });
    await page.getByRole('button', { name: 'Send receipt' }).click();
    await page.getByRole('button', { name: 'New message' }).click();
    const d = page.getByRole('dialog', { name: 'New message' });
    await d.getByLabel('To').fill(BOB.email);
    await d.getByLabel('Subject').fill('Agenda for Monday');
    await d.getByLabel('Message').fill('Hi Bob,\n\nhere is the agenda for Monday. Please let me know when you have read it.\n\nAlice');
    await d.getByLabel('Request a read receipt').check();
    await page.screenshot({ path: path.join(OUT, 'compose.png') });
    await d.getByRole('button', { name: 'Send' }).click();
    await d.waitFor({ state: 'detached' });
    const b = await newPage(browser);
    await signIn(b.page, pa.base, BOB);
    await row(b.page, 'Agenda for Monday').click();
    await b.page.getByRole('button', { name: 'Send receipt' }).click();
    await b.page.getByRole('status').filter({ hasText: 'Read receipt sent.' }).waitFor();
    await page.locator('.folder[data-mailbox="sent"]').click();
    await row(page, 'Agenda for Monday').click();
    await page.locator('.receipt-state.ok').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(OUT, 'sent-with-receipts.png') });
    expect(fs.readdirSync(OUT).filter((f) => f.endsWith('.png')).sort()).toEqual(['compose.png', 'list.png', 'reading.png', 'receipt-prompt.png', 'sent-with-receipts.png']);
    await context.close();
    await b.context.close();
  });
});
