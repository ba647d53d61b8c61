// Test double of the server's webmail side, for running the e2e suite before the
// postamt binary serves the webmail itself (POSTAMT_WEBMAIL_GATE=1). It implements the
// contract of web/README.md ("Server contract") in front of a real postamt: serves
// web/dist with the documented CSP, keeps cookie sessions with CSRF tokens and an idle
// timeout, checks credentials against the real server (JMAP session with Basic), and
// forwards /jmap/* with that Basic credential. Never shipped; the binary replaces it.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; media-src 'self' blob:; font-src 'self'; connect-src 'self'; frame-src 'self' blob:; child-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };

export function startGate({ backend, dist, idleMs = 30 * 60_000 }) {
  const sessions = new Map(); // id -> { user, basic, csrf, accountId, last }
  const settings = new Map(); // user -> settings
  const problem = (res, status, detail) => {
    res.writeHead(status, { 'Content-Type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', status, detail }));
  };
  const body = (req) =>
    new Promise((resolve) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });
  const session = (req) => {
    const m = /(?:^|;\s*)postamt_session=([^;]+)/.exec(req.headers.cookie ?? '');
    const s = m && sessions.get(m[1]);
    if (!s) return null;
    if (Date.now() - s.last > idleMs) {
      sessions.delete(m[1]);
      return null;
    }
    s.last = Date.now();
    return s;
  };
  const userSettings = (user) => {
    if (!settings.has(user)) settings.set(user, { language: null, receipts: { choice: 'ask', locked: false, lockedReason: null, serverOnDownload: 'off' } });
    return settings.get(user);
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (p === '/webmail/login' && req.method === 'POST') {
      const { username, password } = JSON.parse((await body(req)).toString() || '{}');
      const basic = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
      const r = await fetch(`${backend}/jmap/session`, { headers: { Authorization: basic } });
      if (r.status !== 200) return problem(res, r.status === 403 ? 403 : 401, 'wrong credentials');
      const js = await r.json();
      const id = crypto.randomBytes(24).toString('base64url');
      const s = { user: username, basic, csrf: crypto.randomBytes(24).toString('base64url'), accountId: js.primaryAccounts['urn:ietf:params:jmap:mail'], last: Date.now() };
      sessions.set(id, s);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': `postamt_session=${id}; HttpOnly; SameSite=Strict; Path=/` });
      return res.end(JSON.stringify({ username, accountId: s.accountId, csrfToken: s.csrf }));
    }
    if (p.startsWith('/webmail/') || p.startsWith('/jmap/')) {
      const s = session(req);
      if (!s) return problem(res, 401, 'no session');
      const write = req.method !== 'GET' && req.method !== 'HEAD';
      if (write && req.headers['x-csrf-token'] !== s.csrf) return problem(res, 403, 'CSRF token missing or wrong');
      if (p === '/webmail/session') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ username: s.user, accountId: s.accountId, csrfToken: s.csrf }));
      }
      if (p === '/webmail/logout') {
        const { everywhere } = JSON.parse((await body(req)).toString() || '{}');
        for (const [k, v] of sessions) if (v === s || (everywhere && v.user === s.user)) sessions.delete(k);
        res.writeHead(204, { 'Set-Cookie': 'postamt_session=; Max-Age=0; Path=/' });
        return res.end();
      }
      if (p === '/webmail/settings') {
        const cur = userSettings(s.user);
        if (req.method === 'PUT') {
          const ch = JSON.parse((await body(req)).toString() || '{}');
          if ('language' in ch) cur.language = ch.language;
          if (ch.receiptChoice) cur.receipts.choice = ch.receiptChoice;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(cur));
      }
      // /jmap/*: forward with the session's credential, streaming both ways.
      const headers = { ...req.headers, authorization: s.basic };
      delete headers.cookie;
      delete headers['x-csrf-token'];
      const up = http.request(`${backend}${req.url}`, { method: req.method, headers }, (ur) => {
        const h = { ...ur.headers };
        if (h.location) h.location = h.location.replace(backend, '');
        res.writeHead(ur.statusCode, h);
        ur.pipe(res);
      });
      up.on('error', () => res.destroy());
      // The browser went away (e.g. an EventSource closed): end the upstream request.
      res.on('close', () => up.destroy());
      req.pipe(up);
      return;
    }
    // The SPA: hashed assets, else index.html with the CSP.
    let file = path.join(dist, p.startsWith('/assets/') ? path.normalize(p).replace(/^\/+/, '') : 'index.html');
    if (!file.startsWith(dist) || !fs.existsSync(file)) file = path.join(dist, 'index.html');
    const ext = path.extname(file);
    const h = { 'Content-Type': TYPES[ext] ?? 'application/octet-stream' };
    if (ext === '.html') Object.assign(h, { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' });
    res.writeHead(200, h);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}
