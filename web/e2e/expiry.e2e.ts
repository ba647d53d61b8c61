// An idle session expires on the server; the next request shows the login screen with
// the "session expired" message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ALICE, BOB, Postamt, launch, message, newPage, row, signIn } from './harness';

let pa: Postamt;
let browser: Browser;

beforeAll(async () => {
  pa = new Postamt({ webmailIdle: '3s' });
  pa.setup();
  await pa.start();
  pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Before expiry' }));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
});

describe('session expiry', () => {
  it('shows the login screen with the expiry message after the idle timeout', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Before expiry').waitFor();
    // Any request (even a session check) would renew the session, so this waits out
    // the idle timeout with a wide margin instead of polling.
    await new Promise((r) => setTimeout(r, 6000));
    await row(page, 'Before expiry').click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('Your session has expired. Please sign in again.');
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    await context.close();
  });
});
