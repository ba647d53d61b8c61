// Read receipts, the point of the webmail issue: ask → send → the sender has exactly
// one; don't send → no prompt on a second device; an IMAP client set $MDNSent first →
// no prompt; "Request a read receipt" in compose and the receipts shown in Sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ALICE, BOB, Postamt, launch, message, newPage, row, signIn } from './harness';
import { seriousViolations } from './axe';

let pa: Postamt;
let browser: Browser;

beforeAll(async () => {
  pa = new Postamt();
  pa.setup();
  await pa.start();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
});

/** Bob asks Alice for a receipt (Return-Path = Disposition-Notification-To, so the
 * request is valid, RFC 8098 §2.1). */
function requestFromBob(subject: string): void {
  pa.smtp(BOB.email, [ALICE.email], message({ from: `Bob <${BOB.email}>`, to: ALICE.email, subject, body: `Body of ${subject}`, headers: { 'Disposition-Notification-To': BOB.email } }));
}

async function receiptsIn(user: { email: string; password: string }, about: string): Promise<number> {
  const r = await pa.jmap(user, [
    ['Email/query', { filter: { subject: about } }, 'q'],
    ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['subject', 'header:Content-Type:asText'] }, 'g'],
  ]);
  return r[1]![1].list.filter((e: Record<string, string>) => /report-type="?disposition-notification/i.test(e['header:Content-Type:asText'] ?? '')).length;
}

async function keywordsOf(user: { email: string; password: string }, subject: string): Promise<Record<string, boolean>> {
  const r = await pa.jmap(user, [
    ['Email/query', { filter: { subject } }, 'q'],
    ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['keywords', 'subject'] }, 'g'],
  ]);
  return r[1]![1].list.find((e: { subject: string }) => e.subject === subject).keywords;
}

/** Opens a message and waits until the webmail has decided about a receipt: the
 * decision is made in the same step that marks the message read, so once the server
 * has $seen, any prompt is on screen. */
async function open(page: Page, user: { email: string; password: string }, subject: string): Promise<void> {
  await row(page, subject).click();
  await expect.poll(() => page.locator('.reader-subject').textContent()).toBe(subject);
  await expect.poll(async () => (await keywordsOf(user, subject)).$seen ?? false, { timeout: 15_000 }).toBe(true);
}

const prompt = (page: Page) => page.getByRole('dialog').filter({ hasText: 'read receipt' });

describe('read receipts', () => {
  it('asks; "Send receipt" sends exactly one, and nobody asks again', async () => {
    requestFromBob('Please confirm one');
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await open(page, ALICE, 'Please confirm one');
    await prompt(page).waitFor();
    expect(await prompt(page).getByRole('heading').textContent()).toBe('Read receipt requested');
    expect(await prompt(page).locator('#receipt-text').textContent()).toBe('The sender asked to be notified when you read this message. Send a read receipt?');
    expect(await seriousViolations(page)).toEqual([]);
    await prompt(page).getByRole('button', { name: 'Send receipt' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Read receipt sent.' }).count()).toBe(1);
    await expect.poll(() => receiptsIn(BOB, 'Please confirm one')).toBe(1);
    expect((await keywordsOf(ALICE, 'Please confirm one')).$mdnsent).toBe(true);
    // A second device: no prompt, still one receipt.
    const second = await newPage(browser);
    await signIn(second.page, pa.base, ALICE);
    await row(second.page, 'Please confirm one').click();
    await expect.poll(() => second.page.locator('.reader-subject').textContent()).toBe('Please confirm one');
    await second.page.locator('.text-body').waitFor();
    expect(await prompt(second.page).count()).toBe(0);
    expect(await receiptsIn(BOB, 'Please confirm one')).toBe(1);
    const ledger = JSON.parse(pa.cli('receipts', 'list', '--user', ALICE.email, '--format', 'json').out);
    expect(JSON.stringify(ledger)).toContain('"path":"jmap"');
    await second.context.close();
    await context.close();
  });

  it('"Don\'t send" sets $MDNSent, sends nothing, and a second device does not ask', async () => {
    requestFromBob('Please confirm two');
    const first = await newPage(browser);
    await signIn(first.page, pa.base, ALICE);
    await open(first.page, ALICE, 'Please confirm two');
    await prompt(first.page).getByRole('button', { name: "Don't send" }).click();
    await prompt(first.page).waitFor({ state: 'detached' });
    await expect.poll(async () => (await keywordsOf(ALICE, 'Please confirm two')).$mdnsent ?? false).toBe(true);
    expect(await receiptsIn(BOB, 'Please confirm two')).toBe(0);
    const second = await newPage(browser);
    await signIn(second.page, pa.base, ALICE);
    await row(second.page, 'Please confirm two').click();
    await expect.poll(() => second.page.locator('.reader-subject').textContent()).toBe('Please confirm two');
    await second.page.locator('.text-body').waitFor();
    expect(await prompt(second.page).count()).toBe(0);
    expect(await receiptsIn(BOB, 'Please confirm two')).toBe(0);
    await first.context.close();
    await second.context.close();
  });

  it('does not ask when an IMAP client sent the receipt first', async () => {
    requestFromBob('Please confirm three');
    pa.imap(ALICE, `typ,d=M.search(None,'SUBJECT','"Please confirm three"')\nM.store(d[0].split()[0],'+FLAGS','($MDNSent)')`);
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await open(page, ALICE, 'Please confirm three');
    expect(await prompt(page).count()).toBe(0);
    expect(await receiptsIn(BOB, 'Please confirm three')).toBe(0);
    await context.close();
  });

  it('requests a receipt in compose and shows it in Sent once it arrived', async () => {
    const a = await newPage(browser);
    await signIn(a.page, pa.base, ALICE);
    await a.page.getByRole('button', { name: 'New message' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel('To').fill(BOB.email);
    await dialog.getByLabel('Subject').fill('Receipt wanted from Bob');
    await dialog.getByLabel('Message').fill('Tell me when you read this.');
    await dialog.getByLabel('Request a read receipt').check();
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Bob reads it in his webmail and sends the receipt.
    const b = await newPage(browser);
    await signIn(b.page, pa.base, BOB);
    await open(b.page, BOB, 'Receipt wanted from Bob');
    await prompt(b.page).getByRole('button', { name: 'Send receipt' }).click();
    await expect.poll(() => receiptsIn(ALICE, 'Receipt wanted from Bob')).toBe(1);
    // Alice's Sent shows Bob's receipt.
    await a.page.locator('.folder[data-mailbox="sent"]').click();
    await row(a.page, 'Receipt wanted from Bob').click();
    const item = a.page.locator('.receipts li[data-recipient="bob@example.test"]');
    await expect.poll(() => item.locator('.receipt-state').getAttribute('class'), { timeout: 15_000 }).toBe('receipt-state ok');
    expect(await item.locator('.receipt-state').textContent()).toMatch(/^displayed \S/);
    expect(await item.getByRole('link', { name: 'Open receipt' }).getAttribute('href')).toMatch(/^(http:\/\/127\.0\.0\.1:\d+)?\/jmap\/download\/A\d+\/B[0-9a-f]{64}\/receipt\.eml\?accept=message%2Frfc822$/);
    expect(await seriousViolations(a.page)).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});

describe('the receipt choice in settings', () => {
  async function choose(page: Page, label: 'Always send' | 'Never send' | 'Ask me') {
    await page.getByRole('button', { name: 'Settings' }).click();
    const d = page.getByRole('dialog', { name: 'Settings' });
    await d.getByLabel(label).check();
    await d.getByRole('button', { name: 'Save' }).click();
    await d.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await d.getByRole('button', { name: 'Close' }).click();
  }

  it('"Always send" sends without asking; "Never send" neither asks nor sends', async () => {
    requestFromBob('Automatic confirm');
    requestFromBob('Never confirm');
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await choose(page, 'Always send');
    await open(page, ALICE, 'Automatic confirm');
    expect(await prompt(page).count()).toBe(0);
    await expect.poll(() => receiptsIn(BOB, 'Automatic confirm')).toBe(1);
    await choose(page, 'Never send');
    await open(page, ALICE, 'Never confirm');
    expect(await prompt(page).count()).toBe(0);
    expect(await receiptsIn(BOB, 'Never confirm')).toBe(0);
    expect((await keywordsOf(ALICE, 'Never confirm')).$mdnsent).toBeUndefined();
    // The choice is the server's, so another device sees it.
    const other = await newPage(browser);
    await signIn(other.page, pa.base, ALICE);
    await other.page.getByRole('button', { name: 'Settings' }).click();
    expect(await other.page.getByRole('dialog', { name: 'Settings' }).getByLabel('Never send').isChecked()).toBe(true);
    await choose(page, 'Ask me');
    await other.context.close();
    await context.close();
  });
});
