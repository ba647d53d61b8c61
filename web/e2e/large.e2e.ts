// A longer mailbox: the list is virtual (only rows in view are in the DOM) and paged
// (windows of Email/query load as they scroll into view).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ALICE, Postamt, launch, newPage, reveal, signIn, subjects } from './harness';

const COUNT = 450;
let pa: Postamt;
let browser: Browser;

beforeAll(async () => {
  pa = new Postamt();
  pa.setup();
  await pa.start();
  const boxes = await pa.jmap(ALICE, [['Mailbox/query', { filter: { role: 'inbox' } }, 'm']]);
  const inbox = boxes[0]![1].ids[0];
  for (let start = 0; start < COUNT; start += 150) {
    const create: Record<string, unknown> = {};
    for (let i = start; i < start + 150; i++)
      create[`c${i}`] = {
        mailboxIds: { [inbox]: true },
        from: [{ email: `sender${i}@example.net` }],
        subject: `Bulk ${String(i).padStart(3, '0')}`,
        receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('.000', ''),
        bodyValues: { b: { value: `Body ${i}` } },
        textBody: [{ partId: 'b', type: 'text/plain' }],
      };
    const r = await pa.jmap(ALICE, [['Email/set', { create }, 's']]);
    expect(Object.keys(r[0]![1].created ?? {})).toHaveLength(150);
  }
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
});

describe('a long mailbox', () => {
  it('keeps only the visible rows in the DOM and loads later windows on scrolling', async () => {
    const { context, page } = await newPage(browser);
    const queries: number[] = [];
    page.on('request', (r) => {
      if (!r.url().endsWith('/jmap/api')) return;
      for (const [name, args] of (JSON.parse(r.postData() ?? '{}').methodCalls ?? []) as [string, { position?: number }][])
        if (name === 'Email/query' && typeof args.position === 'number') queries.push(args.position);
    });
    await signIn(page, pa.base, ALICE);
    await expect.poll(async () => (await subjects(page))[0]).toBe('Bulk 449');
    expect(await page.locator('.list-head .muted').textContent()).toBe(String(COUNT));
    const rendered = await page.getByRole('listbox', { name: 'Message list' }).getByRole('option').count();
    expect(rendered).toBeLessThan(40);
    expect(await page.getByRole('listbox', { name: 'Message list' }).getByRole('option').first().getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(queries).toEqual([0]);
    // The oldest message is in the last window.
    const last = await reveal(page, 'Bulk 000');
    expect(await last.getAttribute('aria-posinset')).toBe(String(COUNT));
    expect([...new Set(queries)].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400]);
    expect(await page.getByRole('listbox', { name: 'Message list' }).getByRole('option').count()).toBeLessThan(40);
    await last.click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Bulk 000');
    await context.close();
  });
});
