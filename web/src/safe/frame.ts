// The reading frame's srcdoc, CSP and sandbox (web/README.md, "Reading HTML mail").
// Kept apart from the sanitiser so that DOMPurify loads only with the first HTML message.

/** The Content-Security-Policy of the reading frame (a <meta> in its srcdoc). `origin`
 * is this page's origin; remote images only when allowed. */
export function frameCsp(origin: string, allowRemote: boolean): string {
  const img = allowRemote ? `data: blob: https: http: ${origin}` : `data: blob: ${origin}`;
  return `default-src 'none'; style-src 'unsafe-inline'; img-src ${img}; font-src data:; form-action 'none'; base-uri 'none'`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The srcdoc of the reading frame: the CSP meta first, then the sanitised body. */
export function buildSrcdoc(sanitizedBody: string, csp: string): string {
  return (
    '<!doctype html><html><head>' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">` +
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
    '<style>html,body{margin:0;padding:0;background:#fff;color:#111;}body{padding:12px 16px;font:15px/1.5 system-ui,sans-serif;overflow-wrap:anywhere;}img{max-width:100%;height:auto;}pre{white-space:pre-wrap;}</style>' +
    `</head><body>${sanitizedBody}</body></html>`
  );
}

/** The sandbox of the reading frame: no scripts, an opaque origin, links may open a
 * new top-level context that is not sandboxed itself. */
export const FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';
