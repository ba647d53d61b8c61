// Everyday use against the real server: sign in, read, compose with an attachment,
// reply, move, search, live update from an SMTP delivery, sign out, CSRF, axe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ALICE, BOB, Postamt, launch, message, newPage, row, signIn, subjects } from './harness';
import { seriousViolations } from './axe';

let pa: Postamt;
let browser: Browser;

beforeAll(async () => {
  pa = new Postamt();
  pa.setup();
  await pa.start();
  pa.smtp(BOB.email, [ALICE.email], message({ from: `Bob <${BOB.email}>`, to: ALICE.email, subject: 'Welcome aboard', body: 'Plain text body line one.\nLine two.' }));
  pa.smtp(BOB.email, [ALICE.email], message({ from: `Bob <${BOB.email}>`, to: ALICE.email, subject: 'Quarterly numbers', body: 'The zebra figures are attached elsewhere.' }));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await pa?.stop();
});

describe('webmail', () => {
  it('refuses a wrong password with the message, then signs in and lists the inbox', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(pa.base + '/');
    await page.getByLabel('Email address').fill(ALICE.email);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toBe('The email address or password is wrong.');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await row(page, 'Welcome aboard').waitFor();
    expect(await row(page, 'Quarterly numbers').count()).toBe(1);
    expect(await page.locator('.folder.current .name').textContent()).toBe('Inbox');
    expect(await page.locator('.folder.current .count').textContent()).toBe('2');
    expect(await seriousViolations(page)).toEqual([]);
    // A reload resumes the session from the cookie.
    await page.reload();
    await row(page, 'Welcome aboard').waitFor();
    await context.close();
  });

  it('reads a plain text message and marks it read', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Welcome aboard').click();
    const reader = page.getByRole('region', { name: 'Message' });
    await expect.poll(() => reader.locator('.reader-subject').textContent()).toBe('Welcome aboard');
    expect(await reader.locator('.meta-from').textContent()).toBe(`Bob <${BOB.email}>`);
    expect(await reader.locator('.text-body').textContent()).toBe('Plain text body line one.\nLine two.\n');
    await expect.poll(async () => (await row(page, 'Welcome aboard').getAttribute('class')) ?? '').not.toContain('unread');
    expect(await seriousViolations(page)).toEqual([]);
    const seen = await pa.jmap(ALICE, [['Email/query', { filter: { subject: 'Welcome aboard' } }, 'q'], ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['keywords'] }, 'g']]);
    expect(seen[1]![1].list[0].keywords).toEqual({ $seen: true });
    await context.close();
  });

  it('shows an HTML message with its inline cid: image', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
    const raw = [
      `From: ${BOB.email}`, `To: ${ALICE.email}`, 'Subject: Inline logo', 'MIME-Version: 1.0', 'Message-ID: <inline-logo@example.test>',
      'Content-Type: multipart/related; boundary="rel"', '', '--rel', 'Content-Type: text/html; charset=utf-8', '',
      '<p>Our logo: <img alt="logo" src="cid:logo@example.test"></p>', '--rel', 'Content-Type: image/png', 'Content-ID: <logo@example.test>',
      'Content-Transfer-Encoding: base64', 'Content-Disposition: inline; filename="logo.png"', '', png, '--rel--', '',
    ].join('\n');
    pa.smtp(BOB.email, [ALICE.email], raw);
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Inline logo').click();
    const img = page.frameLocator('iframe.body-frame').getByRole('img', { name: 'logo' });
    await img.waitFor();
    expect(await img.getAttribute('src')).toBe(`data:image/png;base64,${png}`);
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(1);
    expect(await page.getByRole('region', { name: 'Remote images blocked' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('composes with an attachment; bob receives it, the copy is in Sent', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    // Suggestions from Alice's own mail.
    await dialog.getByLabel('To').pressSequentially('bo');
    const suggestions = dialog.getByRole('listbox', { name: 'Suggestions' });
    await expect.poll(() => suggestions.getByRole('option').allTextContents()).toEqual([`Bob <${BOB.email}>`]);
    await dialog.getByLabel('To').press('Enter');
    expect(await dialog.getByLabel('To').inputValue()).toBe(`Bob <${BOB.email}>, `);
    await dialog.getByLabel('Subject').fill('Report with attachment');
    await dialog.getByLabel('Message').fill('Please find the report attached.');
    const file = path.join(os.tmpdir(), `report-${process.pid}.txt`);
    fs.writeFileSync(file, 'report contents 42\n');
    const chooser = page.waitForEvent('filechooser');
    await dialog.getByRole('button', { name: 'Attach' }).click();
    await (await chooser).setFiles(file);
    await dialog.locator('.compose-attachments li').filter({ hasText: path.basename(file) }).waitFor();
    // A file dropped on the window is attached too.
    const dropped = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
      return dt;
    });
    await dialog.locator('form').dispatchEvent('drop', { dataTransfer: dropped });
    await dialog.locator('.compose-attachments li').filter({ hasText: 'dropped.txt' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByRole('status').filter({ hasText: 'Message sent.' }).count()).toBe(1);
    const bob = await pa.jmap(BOB, [
      ['Email/query', { filter: { subject: 'Report with attachment' } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['from', 'attachments', 'preview'] }, 'g'],
    ]);
    const got = bob[1]![1].list;
    expect(got).toHaveLength(1);
    expect(got[0].from).toEqual([{ name: null, email: ALICE.email }]);
    expect(got[0].attachments.map((a: { name: string; type: string; size: number }) => [a.name, a.type, a.size])).toEqual([
      [path.basename(file), 'text/plain', 19],
      ['dropped.txt', 'text/plain', 13],
    ]);
    expect(got[0].preview).toBe('Please find the report attached.');
    // Alice's copy: in Sent, not a draft; Drafts empty.
    await page.locator('.folder[data-mailbox="sent"]').click();
    await row(page, 'Report with attachment').waitFor();
    const mine = await pa.jmap(ALICE, [
      ['Mailbox/get', { ids: null, properties: ['role', 'totalEmails'] }, 'm'],
      ['Email/query', { filter: { subject: 'Report with attachment' } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['mailboxIds', 'keywords'] }, 'g'],
    ]);
    const boxes = Object.fromEntries(mine[0]![1].list.map((m: { id: string; role: string; totalEmails: number }) => [m.role, m]));
    expect(mine[2]![1].list).toHaveLength(1);
    expect(mine[2]![1].list[0].mailboxIds).toEqual({ [boxes.sent.id]: true });
    expect(mine[2]![1].list[0].keywords).toEqual({ $seen: true });
    expect(boxes.drafts.totalEmails).toBe(0);
    // The reading pane lists the attachment; its link downloads the bytes.
    await row(page, 'Report with attachment').click();
    const att = page.getByRole('region', { name: 'Attachments' }).locator('li').first();
    await expect.poll(() => att.innerText()).toBe(`${path.basename(file)} text/plain, 19 B`);
    const href = (await att.getByRole('link').getAttribute('href'))!;
    expect(await page.evaluate(async (u) => (await fetch(u)).text(), href)).toBe('report contents 42\n');
    await context.close();
  });

  it('replies with the quoted text and threading headers', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Quarterly numbers').click();
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    expect(await dialog.getByLabel('To').inputValue()).toBe(`Bob <${BOB.email}>`);
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('Re: Quarterly numbers');
    expect(await dialog.getByLabel('Message').inputValue()).toContain('\n> The zebra figures are attached elsewhere.\n');
    await dialog.getByLabel('Message').press('Control+Home');
    await dialog.getByLabel('Message').type('Thanks, got it.');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    const bob = await pa.jmap(BOB, [
      ['Email/query', { filter: { subject: 'Re: Quarterly numbers' } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['inReplyTo', 'subject'], fetchTextBodyValues: true }, 'g'],
    ]);
    expect(bob[1]![1].list).toHaveLength(1);
    expect(bob[1]![1].list[0].inReplyTo).toHaveLength(1);
    const orig = await pa.jmap(ALICE, [
      ['Email/query', { filter: { subject: 'Quarterly numbers', inMailboxOtherThan: [] } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['messageId', 'keywords', 'subject'] }, 'g'],
    ]);
    const original = orig[1]![1].list.find((e: { subject: string }) => e.subject === 'Quarterly numbers');
    expect(bob[1]![1].list[0].inReplyTo).toEqual(original.messageId);
    expect(original.keywords.$answered).toBe(true);
    await context.close();
  });

  it('shows conversations: one row per thread with its count, the thread in the reading pane', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await page.getByLabel('Conversations').check();
    await expect.poll(() => row(page, 'Quarterly numbers').locator('.row-count [aria-hidden]').textContent().catch(() => null)).toBe('2');
    await row(page, 'Quarterly numbers').click();
    const conv = page.getByRole('navigation', { name: 'Conversation (2)' });
    await conv.waitFor();
    expect(await conv.locator('li').count()).toBe(2);
    await conv.getByRole('button').click();
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe('Re: Quarterly numbers');
    await context.close();
  });

  it('saves a draft by itself and forwards a message as an attachment', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Welcome aboard').click();
    await page.getByRole('button', { name: 'Forward as attachment' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    expect(await dialog.getByLabel('Subject').inputValue()).toBe('Fwd: Welcome aboard');
    expect(await dialog.locator('.compose-attachments li span').first().textContent()).toBe('Welcome aboard.eml');
    await dialog.getByLabel('To').fill(BOB.email);
    await dialog.getByLabel('Message').fill('See below.');
    // Saved to Drafts a few seconds after the last change.
    await dialog.getByRole('status').filter({ hasText: /^Draft saved / }).waitFor({ timeout: 20_000 });
    const drafts = await pa.jmap(ALICE, [
      ['Mailbox/query', { filter: { role: 'drafts' } }, 'm'],
      ['Email/query', { filter: { inMailbox: '#m' } }, 'q'],
    ]);
    const draftsId = drafts[0]![1].ids[0];
    const inDrafts = await pa.jmap(ALICE, [
      ['Email/query', { filter: { inMailbox: draftsId } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['subject', 'keywords'] }, 'g'],
    ]);
    expect(inDrafts[1]![1].list.map((e: { subject: string; keywords: object }) => [e.subject, e.keywords])).toEqual([['Fwd: Welcome aboard', { $draft: true, $seen: true }]]);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    const bob = await pa.jmap(BOB, [
      ['Email/query', { filter: { subject: 'Fwd: Welcome aboard' } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['attachments'] }, 'g'],
    ]);
    expect(bob[1]![1].list[0].attachments.map((a: { name: string; type: string }) => [a.name, a.type])).toEqual([['Welcome aboard.eml', 'message/rfc822']]);
    const after = await pa.jmap(ALICE, [['Email/query', { filter: { inMailbox: draftsId } }, 'q']]);
    expect(after[0]![1].ids).toEqual([]);
    await context.close();
  });

  it('moves with the menu and by drag and drop, and creates a folder', async () => {
    pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Move me by menu' }));
    pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Drag me' }));
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('Projects');
    await page.getByRole('dialog', { name: 'New folder' }).getByRole('button', { name: 'Create' }).click();
    await page.locator('.folder[data-mailbox="Projects"]').waitFor();
    await row(page, 'Move me by menu').click();
    await page.getByLabel('Move to…').selectOption({ label: 'Projects' });
    await expect.poll(() => row(page, 'Move me by menu').count()).toBe(0);
    await row(page, 'Drag me').dragTo(page.locator('.folder[data-mailbox="Projects"]'));
    await expect.poll(() => row(page, 'Drag me').count()).toBe(0);
    await page.locator('.folder[data-mailbox="Projects"]').click();
    await row(page, 'Drag me').waitFor();
    const r = await pa.jmap(ALICE, [['Mailbox/query', { filter: { name: 'Projects' } }, 'm']]);
    const projects = r[0]![1].ids[0];
    const inProjects = await pa.jmap(ALICE, [
      ['Email/query', { filter: { inMailbox: projects } }, 'q'],
      ['Email/get', { '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['subject'] }, 'g'],
    ]);
    const subjects = inProjects[1]![1].list.map((e: { subject: string }) => e.subject).sort();
    expect(subjects).toEqual(['Drag me', 'Move me by menu']);
    await context.close();
  });

  it('selects several with shift-click, marks them unread and read, deletes to Trash, empties Trash; renames and deletes a folder', async () => {
    for (const n of [1, 2, 3]) pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: `Batch ${n}` }));
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Batch 1').waitFor();
    // The three newest are on top, in an order of their own (same second).
    await expect.poll(async () => (await subjects(page)).slice(0, 3).sort()).toEqual(['Batch 1', 'Batch 2', 'Batch 3']);
    const top = (await subjects(page)).slice(0, 3);
    await row(page, top[0]!).click();
    await row(page, top[2]!).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.locator('.toolbar .muted').textContent()).toBe('3 selected');
    const selected = page.getByRole('listbox', { name: 'Message list' }).locator('[aria-selected="true"] .row-subject');
    expect((await selected.allTextContents()).sort()).toEqual(['Batch 1', 'Batch 2', 'Batch 3']);
    // Two of them are unread: the button marks all read, then it offers the opposite.
    await page.getByRole('button', { name: 'Mark read' }).click();
    await expect.poll(async () => (await page.locator('.row.unread .row-subject').allTextContents()).filter((x) => x.startsWith('Batch'))).toEqual([]);
    await page.getByRole('button', { name: 'Mark unread' }).click();
    await expect.poll(async () => (await page.locator('.row.unread .row-subject').allTextContents()).filter((x) => x.startsWith('Batch')).sort()).toEqual(['Batch 1', 'Batch 2', 'Batch 3']);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => row(page, 'Batch 2').count()).toBe(0);
    await page.locator('.folder[data-mailbox="trash"]').click();
    await row(page, 'Batch 2').waitFor();
    await page.getByRole('button', { name: 'Empty Trash' }).click();
    await page.getByRole('dialog', { name: 'Empty Trash' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('listbox', { name: 'Message list' }).getByRole('option').count()).toBe(0);
    const left = await pa.jmap(ALICE, [['Email/query', { filter: { subject: 'Batch' } }, 'q']]);
    expect(left[0]![1].ids).toEqual([]);
    // Folders: rename and delete the one made earlier.
    await page.locator('.folder[data-mailbox="Projects"]').click();
    await page.getByRole('button', { name: 'Rename folder' }).click();
    await page.getByRole('dialog', { name: 'Rename folder' }).getByLabel('Folder name').fill('Old projects');
    await page.getByRole('dialog', { name: 'Rename folder' }).getByRole('button', { name: 'Rename' }).click();
    await page.locator('.folder[data-mailbox="Old projects"]').waitFor();
    await page.getByRole('button', { name: 'Delete folder' }).click();
    await page.getByRole('dialog', { name: 'Delete folder' }).getByRole('button', { name: 'Delete' }).click();
    await page.locator('.folder[data-mailbox="Old projects"]').waitFor({ state: 'detached' });
    const boxes = await pa.jmap(ALICE, [['Mailbox/get', { ids: null, properties: ['name'] }, 'm']]);
    expect(boxes[0]![1].list.map((m: { name: string }) => m.name)).not.toContain('Old projects');
    await context.close();
  });

  it('searches and highlights the snippet', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await page.getByLabel('Search').first().fill('zebra');
    await page.getByLabel('Search').first().press('Enter');
    await expect.poll(() => page.locator('.list-title').textContent()).toBe('Search results');
    // The original and the reply that quotes it.
    await expect.poll(() => subjects(page)).toEqual(['Re: Quarterly numbers', 'Quarterly numbers']);
    // The preview's highlight comes with the search snippets, which may arrive after the rows.
    await expect.poll(() => row(page, 'Quarterly numbers').locator('.row-preview mark').allTextContents()).toEqual(['zebra']);
    await context.close();
  });

  it('shows new mail from an SMTP delivery without a reload', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Welcome aboard').waitFor();
    pa.smtp(BOB.email, [ALICE.email], message({ from: BOB.email, to: ALICE.email, subject: 'Live delivery arrives' }));
    await row(page, 'Live delivery arrives').waitFor({ timeout: 15_000 });
    // A change from IMAP shows too.
    pa.imap(ALICE, `typ,d=M.search(None,'SUBJECT','"Live delivery arrives"')\nM.store(d[0].split()[0],'+FLAGS','\\\\Flagged')`);
    await row(page, 'Live delivery arrives').locator('.flag').waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('refuses a write without the CSRF token', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    const statuses = await page.evaluate(async () => {
      const body = JSON.stringify({ using: ['urn:ietf:params:jmap:core'], methodCalls: [['Core/echo', {}, 'a']] });
      const without = await fetch('/jmap/api', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const wrong = await fetch('/jmap/api', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'forged' }, body });
      const session = await (await fetch('/webmail/session')).json();
      const right = await fetch('/jmap/api', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken }, body });
      return [without.status, wrong.status, right.status];
    });
    expect(statuses).toEqual([403, 403, 200]);
    await context.close();
  });

  it('signs out; the cookie no longer works', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    const cookie = (await context.cookies()).find((c) => c.name === 'postamt_session')!;
    expect([cookie.httpOnly, cookie.sameSite, cookie.path]).toEqual([true, 'Strict', '/']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('You have signed out.');
    expect((await context.cookies()).filter((c) => c.name === 'postamt_session')).toEqual([]);
    // The old cookie, presented again, is refused by the server.
    const again = await context.request.get(`${pa.base}/jmap/session`, { headers: { Cookie: `postamt_session=${cookie.value}` } });
    expect(again.status()).toBe(401);
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('signs out everywhere: the other device gets the sign-in screen', async () => {
    const one = await newPage(browser);
    const two = await newPage(browser);
    await signIn(one.page, pa.base, ALICE);
    await signIn(two.page, pa.base, ALICE);
    await one.page.getByRole('button', { name: 'Settings' }).click();
    await one.page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect.poll(() => one.page.getByRole('status').textContent()).toBe('You have signed out.');
    await row(two.page, 'Welcome aboard').click();
    await expect.poll(() => two.page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('Your session has expired. Please sign in again.');
    await one.context.close();
    await two.context.close();
  });

  it('speaks German when the browser does', async () => {
    const { context, page } = await newPage(browser, 'de-DE');
    await page.goto(pa.base + '/');
    await page.getByLabel('E-Mail-Adresse').fill(ALICE.email);
    await page.getByLabel('Passwort').fill(ALICE.password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('listbox', { name: 'Nachrichtenliste' }).waitFor();
    expect(await page.getByRole('button', { name: 'Neue Nachricht' }).count()).toBe(1);
    expect(await page.locator('.folder.current .name').textContent()).toBe('Posteingang');
    await context.close();
  });
});

describe('keyboard and settings', () => {
  it('moves with j/k, opens with Enter, flags with s, shows the shortcuts with ?', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await row(page, 'Welcome aboard').waitFor();
    const first = (await subjects(page))[0]!;
    const second = (await subjects(page))[1]!;
    await page.getByRole('listbox', { name: 'Message list' }).focus();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe(second);
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.reader-subject').textContent()).toBe(first);
    const flagged = await row(page, first).locator('.flag').count();
    await page.keyboard.press('s');
    await expect.poll(() => row(page, first).locator('.flag').count()).toBe(1 - flagged);
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(await help.locator('kbd').allTextContents()).toEqual(['j', 'k', 'Enter', 'r', 'a', 'f', 'c', '#', '/', 'u', 's', '?']);
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
    await page.keyboard.press('c');
    await page.getByRole('dialog', { name: 'New message' }).waitFor();
    await context.close();
  });

  it('saves a vacation response and switches the language', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, pa.base, ALICE);
    await page.getByRole('button', { name: 'Settings' }).click();
    const d = page.getByRole('dialog', { name: 'Settings' });
    await d.getByLabel('Send a vacation response').check();
    await d.getByLabel('Subject').fill('Away until Monday');
    await d.getByLabel('Text').fill('I am away and will answer on Monday.');
    await d.getByLabel('Language').selectOption('de');
    expect(await seriousViolations(page)).toEqual([]);
    await d.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Neue Nachricht' }).waitFor();
    const v = await pa.jmap(ALICE, [['VacationResponse/get', { ids: ['singleton'] }, 'v']]);
    expect(v[0]![1].list[0]).toMatchObject({ isEnabled: true, subject: 'Away until Monday', textBody: 'I am away and will answer on Monday.' });
    await page.getByRole('button', { name: 'Einstellungen' }).click();
    await page.getByRole('dialog', { name: 'Einstellungen' }).getByLabel('Sprache').selectOption('en');
    await page.getByRole('dialog', { name: 'Einstellungen' }).getByLabel('Abwesenheitsnotiz senden').uncheck();
    await page.getByRole('dialog', { name: 'Einstellungen' }).getByRole('button', { name: 'Speichern' }).click();
    await page.getByRole('button', { name: 'New message' }).waitFor();
    await context.close();
  });
});
