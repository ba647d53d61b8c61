import { it } from 'vitest';
import { ALICE, BOB, Postamt, launch, message, newPage } from '/work/wt-web/web/e2e/harness';
it('debug', async () => {
  const pa = new Postamt(); pa.setup(); await pa.start();
  pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Hello dbg' }));
  const b = await launch(); const { page } = await newPage(b);
  page.on('console', (m) => console.log('CONSOLE', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('PAGEERROR', e.message));
  page.on('response', (r) => { if (r.status() >= 400) console.log('HTTP', r.status(), r.url()); });
  await page.goto(pa.base + '/');
  await page.getByLabel('Email address').fill(ALICE.email);
  await page.getByLabel('Password').fill(ALICE.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await new Promise((r) => setTimeout(r, 4000));
  await page.screenshot({ path: '/tmp/wdbg/a.png' });
  console.log((await page.content()).slice(0, 1500));
  await b.close(); await pa.stop();
}, 60000);
