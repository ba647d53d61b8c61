// The administrator's policy has the server send receipts on download: the webmail's
// first read of a message is such a download, so the server's receipt goes out, the
// webmail never asks, the sender has exactly one, and Settings shows the choice locked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ALICE, BOB, Postamt, launch, message, newPage, row, signIn } from './harness';

let pa: Postamt;
let browser: Browser;

beforeAll(async () => {
  pa = new Postamt({ extraConfig: '[receipts]\non_download = "displayed"\n' });
  pa.setup();
  await pa.start();
  pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Server answers this', headers: { 'Disposition-Notification-To': BOB.email } }));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
});

async function receiptsForBob(): Promise<number> {
  const r = await pa.jmap(BOB, [
    ['Email/query', { filter: { subject: 'Server answers this' } }, 'q'],
    ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['header:Content-Type:asText'] }, 'g'],
  ]);
  return r[1]![1].list.filter((e: Record<string, string>) => /disposition-notification/i.test(e['header:Content-Type:asText'] ?? '')).length;
}

describe('receipts sent by the server on download', () => {
  it('never asks, the sender gets one receipt, and the setting is shown locked', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Server answers this').click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Server answers this');
    await page.locator('.text-body').waitFor();
    await expect.poll(() => receiptsForBob(), { timeout: 15_000 }).toBe(1);
    expect(await page.getByRole('dialog').count()).toBe(0);
    // A second device opening it: still no prompt, still one receipt.
    const other = await newPage(browser);
    await signIn(other.page, pa.base, ALICE);
    await row(other.page, 'Server answers this').click();
    await other.page.locator('.text-body').waitFor();
    expect(await other.page.getByRole('dialog').count()).toBe(0);
    expect(await receiptsForBob()).toBe(1);
    await page.getByRole('button', { name: 'Settings' }).click();
    const d = page.getByRole('dialog', { name: 'Settings' });
    expect(await d.getByLabel('Ask me').isDisabled()).toBe(true);
    expect(await d.getByText(/^Set by your administrator: /).count()).toBe(1);
    await other.context.close();
    await context.close();
  });
});
