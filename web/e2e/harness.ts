// The e2e harness: starts the real postamt (POSTAMT_BIN, default ../build/postamt) with
// a temporary configuration on free loopback ports, as tests/integration/harness.py
// does; users and domains through the `postamt` CLI; mail in through SMTP and flags
// through IMAP with python3's smtplib/imaplib; chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, '..');
export const BIN = process.env.POSTAMT_BIN ?? path.resolve(WEB_DIR, '..', 'build', 'postamt');
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** The server configuration of the webmail session idle timeout. */
export function webmailIdleConfig(duration: string): string {
  return `[webmail]\nsession_idle_timeout = "${duration}"\n`;
}

export const ALICE = { email: 'alice@example.test', password: 'alice-secret-pw' };
export const BOB = { email: 'bob@example.test', password: 'bob-secret-pw' };

export interface StartOptions {
  extraConfig?: string;
  /** Idle timeout of webmail sessions, for the expiry test. */
  webmailIdle?: string;
}

export class Postamt {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postamt-web-e2e-'));
  readonly config = path.join(this.dir, 'postamt.toml');
  proc: ChildProcess | null = null;
  log: string[] = [];
  addresses = new Map<string, { host: string; port: number }>();
  base = '';

  constructor(opts: StartOptions = {}) {
    const services = ['smtp', 'submission', 'imap', 'http'];
    fs.writeFileSync(
      this.config,
      `hostname = "mail.example.test"\ndata_dir = "data"\n[listen]\n${services.map((s) => `${s} = ["127.0.0.1:0"]`).join('\n')}\n` +
        `[auth]\nplaintext = "loopback"\n` +
        (opts.webmailIdle ? webmailIdleConfig(opts.webmailIdle) : '') +
        (opts.extraConfig ?? ''),
    );
  }

  cli(...args: string[]): { code: number; out: string; err: string } {
    const r = spawnSync(BIN, ['--config', this.config, ...args], { encoding: 'utf8', input: '', timeout: 60_000 });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  }

  cliIn(input: string, ...args: string[]): void {
    const r = spawnSync(BIN, ['--config', this.config, ...args], { encoding: 'utf8', input, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`postamt ${args.join(' ')} failed: ${r.stderr}`);
  }

  setup(): void {
    this.cliIn('', 'domain', 'add', 'example.test');
    for (const u of [ALICE, BOB]) this.cliIn(`${u.password}\n`, 'user', 'add', u.email, '--password-stdin');
  }

  async start(): Promise<void> {
    const proc = spawn(BIN, ['--config', this.config, 'serve'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`postamt did not start:\n${this.log.join('\n')}`)), 20_000);
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          this.log.push(line);
          const m = /listening: (\S+) (\S+):(\d+)$/.exec(line);
          if (m && !this.addresses.has(m[1]!)) this.addresses.set(m[1]!, { host: m[2]!, port: Number(m[3]) });
          if (/postamt\/master\[\d+\]: started: /.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        }
      });
      proc.on('exit', (code) => reject(new Error(`postamt exited (${code}):\n${this.log.join('\n')}`)));
    });
    const http = this.addresses.get('http')!;
    const direct = `http://${http.host}:${http.port}`;
    this.base = direct;
    this.direct = direct;
  }
  direct = '';

  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      const done = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** JMAP with HTTP Basic straight to the server (the test's own view of a mailbox). */
  async jmap(user: { email: string; password: string }, calls: [string, Record<string, unknown>, string][]): Promise<[string, any, string][]> {
    const auth = 'Basic ' + Buffer.from(`${user.email}:${user.password}`).toString('base64');
    const s = await (await fetch(`${this.direct}/jmap/session`, { headers: { Authorization: auth } })).json();
    const accountId = s.primaryAccounts['urn:ietf:params:jmap:mail'];
    const body = {
      using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'urn:ietf:params:jmap:submission', 'urn:ietf:params:jmap:mdn', 'urn:ietf:params:jmap:vacationresponse'],
      methodCalls: calls.map(([n, a, id]) => [n, { accountId, ...a }, id]),
    };
    const r = await fetch(`${this.direct}/jmap/api`, { method: 'POST', headers: { Authorization: auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return (await r.json()).methodResponses;
  }

  /** Sends a message with python3's smtplib: from a local user through the submission
   * listener with that user's login (local senders must authenticate), else through the
   * SMTP (MX) listener. */
  smtp(from: string, to: string[], message: string): void {
    const user = [ALICE, BOB].find((u) => u.email === from);
    const { host, port } = this.addresses.get(user ? 'submission' : 'smtp')!;
    python(
      `import smtplib,sys\ns=smtplib.SMTP(sys.argv[1],int(sys.argv[2]),timeout=30)\nif sys.argv[5]:\n  s.login(sys.argv[5],sys.argv[6])\ns.sendmail(sys.argv[3],sys.argv[4].split(','),sys.stdin.buffer.read())\ns.quit()`,
      [host, String(port), from, to.join(','), user?.email ?? '', user?.password ?? ''],
      message.replace(/\r?\n/g, '\r\n'),
    );
  }

  /** Runs IMAP commands as `user` with imaplib: `script` gets `M` logged in, INBOX selected. */
  imap(user: { email: string; password: string }, script: string): string {
    const { host, port } = this.addresses.get('imap')!;
    return python(
      `import imaplib,sys\nM=imaplib.IMAP4(sys.argv[1],int(sys.argv[2]),timeout=30)\nM.login(sys.argv[3],sys.argv[4])\nM.select('INBOX')\n${script}\nM.logout()`,
      [host, String(port), user.email, user.password],
      '',
    );
  }
}


function python(code: string, args: string[], input: string): string {
  const r = spawnSync('python3', ['-c', code, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

let messageCounter = 0;
/** An RFC 5322 message; `headers` are added as given. */
export function message(opts: { from: string; to: string; subject: string; body?: string; html?: string; headers?: Record<string, string>; messageId?: string }): string {
  const id = opts.messageId ?? `<e2e-${process.pid}-${Date.now()}-${messageCounter++}@example.test>`;
  const head = [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  if (opts.html !== undefined) {
    const html = Buffer.from(opts.html, 'utf8').toString('base64').replace(/.{76}/g, '$&\n');
    return [...head, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', html, ''].join('\n');
  }
  return [...head, 'Content-Type: text/plain; charset=utf-8', '', opts.body ?? 'Hello.', ''].join('\n');
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    // A native dialog in the webmail would be a bug (or a script from a message):
    // recorded and dismissed.
    (page as unknown as { nativeDialogs: string[] }).nativeDialogs ??= [];
    (page as unknown as { nativeDialogs: string[] }).nativeDialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page };
}

export async function signIn(page: Page, base: string, user: { email: string; password: string }): Promise<void> {
  await page.goto(base + '/');
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('listbox', { name: 'Message list' }).waitFor();
}

/** The list row whose subject is exactly `subject`. */
export function row(page: Page, subject: string) {
  const exact = new RegExp(`^${subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.getByRole('listbox').getByRole('option').filter({ has: page.locator('.row-subject', { hasText: exact }) });
}

/** The subjects of the list's rows, in order. */
export async function subjects(page: Page): Promise<string[]> {
  return page.getByRole('listbox').getByRole('option').locator('.row-subject').allTextContents();
}

/** Scrolls the virtual list until the row of `subject` exists (only rows in view are in
 * the DOM) and returns it, scrolled into view. The list renders its window on the scroll
 * event, a frame after scrollTop was set: every check waits for that render, or a row of
 * the window before the scroll (about to be removed) could be taken for the one found. */
export async function reveal(page: Page, subject: string) {
  const list = page.getByRole('listbox', { name: 'Message list' });
  const target = row(page, subject);
  // Scrolls (to `top`, or on by half a screen) and waits until the list has
  // rendered for the new position; whether it moved.
  const scroll = (top: number | null) =>
    list.evaluate(
      (el, top) =>
        new Promise<boolean>((resolve) => {
          const before = el.scrollTop;
          el.scrollTop = top ?? el.scrollTop + el.clientHeight / 2;
          const moved = el.scrollTop !== before;
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(moved))));
        }),
      top,
    );
  // A row found is scrolled into view, and taken once it is still there after that render.
  const inView = async () => {
    if (!(await target.count())) return false;
    await target.first().evaluate(
      (el) =>
        new Promise<void>((resolve) => {
          el.scrollIntoView({ block: 'nearest' });
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve)));
        }),
    );
    return (await target.count()) > 0;
  };
  if (await inView()) return target;
  await scroll(0);
  for (let i = 0; i < 400; i++) {
    if (await inView()) return target;
    if (!(await scroll(null))) await page.waitForTimeout(50);
  }
  throw new Error(`no row "${subject}" in the list`);
}
