// Webmail rows for `make bench`: against a running postamt that serves the webmail,
// signs in once, then measures (medians of --runs):
//  - JS and CSS bytes transferred for the first load (the responses' encoded sizes, i.e.
//    gzip/brotli as the server sent them);
//  - navigation → interactive message list (the listbox with its first row rendered);
//  - opening a message (click on a row → its subject in the reading pane).
// Usage: node e2e/bench.mjs --base http://127.0.0.1:8080 --user U --password P [--runs 3]
// Prints one JSON line.
import { chromium } from 'playwright-core';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, v, i, all) => (v.startsWith('--') ? [...acc, [v.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base ?? 'http://127.0.0.1:8080';
const runs = Number(args.runs ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
const page = await context.newPage();
await page.goto(base + '/');
await page.getByLabel('Email address').fill(args.user);
await page.getByLabel('Password').fill(args.password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('listbox', { name: 'Message list' }).getByRole('option').first().waitFor({ timeout: 120_000 });

const loads = [];
const opens = [];
let bytes = null;
for (let i = 0; i < runs; i++) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const sizes = new Map();
  const types = new Map();
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
  const t0 = Date.now();
  await page.goto(base + '/');
  await page.getByRole('listbox', { name: 'Message list' }).getByRole('option').first().locator('.row-subject').waitFor({ timeout: 120_000 });
  loads.push(Date.now() - t0);
  let js = 0;
  let css = 0;
  for (const [id, n] of sizes) {
    if (types.get(id) === 'Script') js += n;
    if (types.get(id) === 'Stylesheet') css += n;
  }
  bytes ??= { js, css };
  await cdp.detach();
  const rowEl = page.getByRole('listbox', { name: 'Message list' }).getByRole('option').nth(i + 1);
  const subject = (await rowEl.locator('.row-subject').textContent()) ?? '';
  const t1 = Date.now();
  await rowEl.click();
  await page.locator('.reader-subject').filter({ hasText: subject }).waitFor({ timeout: 60_000 });
  await page.locator('.reader-body').waitFor();
  opens.push(Date.now() - t1);
}
await browser.close();
console.log(JSON.stringify({ firstLoadBytes: bytes, firstLoadBytesTotal: bytes.js + bytes.css, listInteractiveMs: median(loads), openMessageMs: median(opens), runs }));
