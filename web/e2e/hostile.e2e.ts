// The hostile-HTML corpus rendered in chromium: no script runs (no flag, no dialog) and
// no request reaches the "remote" host (a local listener standing in for it) until the
// user allows remote images for a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { ALICE, BOB, Postamt, launch, message, newPage, reveal, signIn } from './harness';
import { HOSTILE, REMOTE } from '../test/hostile';

let pa: Postamt;
let browser: Browser;
let listener: http.Server;
const hits: string[] = [];
let remote = '';

beforeAll(async () => {
  listener = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/gif' });
    res.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  remote = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
  pa = new Postamt();
  pa.setup();
  await pa.start();
  for (const c of HOSTILE) {
    const html = c.html.split(REMOTE).join(remote).split('//remote.invalid:1').join(remote.replace('http:', ''));
    pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: `Hostile: ${c.name}`, html }));
  }
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
  listener?.close();
});

describe('hostile HTML', () => {
  it('runs no script and loads nothing remote, until the user allows it', async () => {
    const { context, page } = await newPage(browser);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(remote)) requests.push(r.url());
    });
    await signIn(page, pa.base, ALICE);
    for (const c of HOSTILE) {
      await (await reveal(page, `Hostile: ${c.name}`)).click();
      await expect.poll(() => page.locator('.reader-subject').textContent()).toBe(`Hostile: ${c.name}`);
      const frame = page.frameLocator('iframe.body-frame');
      await frame.locator('body').waitFor({ state: 'attached' });
      expect(await page.locator('iframe.body-frame').getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    }
    // Inside a frame: scripts are not even there to be blocked.
    await (await reveal(page, 'Hostile: script tag')).click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Hostile: script tag');
    expect(await page.frameLocator('iframe.body-frame').locator('script').count()).toBe(0);
    expect(await page.frameLocator('iframe.body-frame').locator('p').textContent()).toBe('hi');
    // Links open in a new context without opener or referrer.
    await (await reveal(page, 'Hostile: base and ping')).click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Hostile: base and ping');
    const link = page.frameLocator('iframe.body-frame').getByRole('link', { name: 'p' });
    expect([await link.getAttribute('target'), await link.getAttribute('rel'), await link.getAttribute('ping')]).toEqual(['_blank', 'noopener noreferrer', null]);

    expect((page as unknown as { nativeDialogs?: string[] }).nativeDialogs ?? []).toEqual([]);
    expect(requests).toEqual([]);
    expect(hits).toEqual([]);

    // Allowed for one message: now the image loads from the "remote" host.
    await (await reveal(page, 'Hostile: remote image')).click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Hostile: remote image');
    const bar = page.getByRole('region', { name: 'Remote images blocked' });
    expect(await bar.locator('span').textContent()).toBe('Remote images blocked (1)');
    await bar.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => hits.length, { timeout: 15_000 }).toBe(1);
    expect(hits).toEqual(['/pixel.gif']);
    // The listener is the authority; the page's own request log may miss requests of
    // the sandboxed frame when Chromium runs it out of process, but must show no other.
    expect(requests.filter((u) => u !== `${remote}/pixel.gif`)).toEqual([]);
    await context.close();
  });
});
