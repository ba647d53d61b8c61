// HTML mail made safe to show. Two layers (web/README.md, "Reading HTML mail"):
//  1. the iframe: srcdoc, sandbox without allow-scripts and without allow-same-origin,
//     and a CSP <meta> first in its head that allows no script and, until the user
//     allows remote content, images from data: and blob: only;
//  2. this sanitiser: DOMPurify with hooks that drop every remote URL a renderer could
//     fetch without a click (src, srcset, background, poster, style url(), @import,
//     image-set, <link>, <meta>), forms, frames, media, and make links open in a new
//     browsing context with no opener and no referrer.
// cid: references are replaced by data: URLs the caller fetched (so the frame, whose
// origin is opaque, needs neither the cookie nor access to this origin).

import DOMPurify from 'dompurify';

export interface SanitizeOptions {
  allowRemote: boolean;
  /** Content-ID (without <>) → data: URL of the inline part. */
  cid?: Map<string, string>;
}

export interface Sanitized {
  html: string;
  /** How many remote references were removed (0 when allowed). */
  blocked: number;
}

const FORBID_TAGS = [
  'script', 'form', 'input', 'button', 'textarea', 'select', 'option', 'optgroup', 'fieldset', 'keygen',
  'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'param', 'portal', 'link', 'meta', 'base',
  'video', 'audio', 'source', 'track', 'picture', 'noscript', 'template', 'dialog', 'math', 'svg',
];
const FORBID_ATTR = ['ping', 'formaction', 'action', 'srcdoc', 'xmlns', 'autofocus', 'http-equiv', 'lowsrc', 'dynsrc', 'manifest', 'integrity'];
const URL_ATTRS = new Set(['src', 'background', 'poster', 'lowsrc', 'dynsrc', 'data']);

/** A data: URL that renders as an image and never as a document or script. */
export function isSafeDataImage(url: string): boolean {
  return /^data:image\/(png|gif|jpe?g|webp|bmp|avif|x-icon|vnd\.microsoft\.icon)(;[^,]*)?,/i.test(url.trim());
}

function isRemote(url: string): boolean {
  return /^\s*(https?:)?\/\//i.test(url);
}

/** Undoes CSS escapes and comments so that `u\72l(` cannot hide a url(). */
export function normalizeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ')
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_, hex: string) => {
      const cp = parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\uFFFD';
    })
    .replace(/\\(.)/g, '$1');
}

/** CSS with every reference to something outside the message removed: @import always
 * (remote style sheets are never loaded), url() and image-set() unless remote content
 * is allowed; url(cid:...) becomes the part's data: URL; old IE script hooks go. */
export function scrubCss(css: string, opts: SanitizeOptions, count: { blocked: number }): string {
  let out = normalizeCss(css);
  out = out.replace(/@import[^;]*;?/gi, () => {
    count.blocked++;
    return '';
  });
  out = out.replace(/expression\s*\(|behavior\s*:|-moz-binding\s*:|javascript:/gi, 'invalid:');
  // Well-formed url() tokens are judged one by one (kept aside meanwhile); any url( left
  // over is malformed and made harmless.
  const kept: string[] = [];
  out = out.replace(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/gi, (_m, _q: string, raw: string) => {
    const url = raw.trim();
    let result = 'none';
    if (/^cid:/i.test(url)) {
      const data = opts.cid?.get(url.slice(4).replace(/^<|>$/g, ''));
      if (data) result = `url("${data}")`;
    } else if (isSafeDataImage(url)) result = `url("${url.replace(/["\\\n]/g, '')}")`;
    else if (opts.allowRemote && /^https?:\/\//i.test(url)) result = `url("${url.replace(/["\\\n]/g, '')}")`;
    else if (url) count.blocked++;
    kept.push(result);
    return `\u0000${kept.length - 1}\u0000`;
  });
  if (!opts.allowRemote) {
    out = out.replace(/(-webkit-)?image-set\s*\([^)]*\)/gi, () => {
      count.blocked++;
      return 'none';
    });
  }
  out = out.replace(/url\s*\(/gi, 'invalid(');
  out = out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)] ?? 'none');
  return out;
}

function rewriteUrl(value: string, opts: SanitizeOptions, count: { blocked: number }): string | null {
  const v = value.trim();
  if (/^cid:/i.test(v)) return opts.cid?.get(decodeURIComponent(v.slice(4)).replace(/^<|>$/g, '')) ?? null;
  if (isSafeDataImage(v)) return v;
  if (/^https?:\/\//i.test(v) || isRemote(v)) {
    if (opts.allowRemote && /^https?:\/\//i.test(v)) return v;
    count.blocked++;
    return null;
  }
  return null; // relative, javascript:, data:text/html, file:, anything else
}

function srcsetAllowed(value: string, opts: SanitizeOptions, count: { blocked: number }): string | null {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  const kept: string[] = [];
  for (const part of parts) {
    const [url, ...desc] = part.split(/\s+/);
    const r = rewriteUrl(url ?? '', opts, count);
    if (r) kept.push([r, ...desc].join(' '));
  }
  return kept.length ? kept.join(', ') : null;
}

/** Keeps an attribute with a value checked here. DOMPurify would refuse data: in most
 * src attributes, and with forceKeepAttr it leaves the attribute as it was, so the value
 * is written here. */
function keepAs(el: Element, name: string, value: string, data: { attrValue: string; forceKeepAttr?: boolean }): void {
  el.setAttribute(name, value);
  data.attrValue = value;
  data.forceKeepAttr = true;
}

let purifier: ReturnType<typeof DOMPurify> | null = null;
let current: { opts: SanitizeOptions; count: { blocked: number } } | null = null;

function instance(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('uponSanitizeElement', (node) => {
    if (!current) return;
    if (node.nodeName === 'STYLE' && node.textContent) {
      node.textContent = scrubCss(node.textContent, current.opts, current.count);
    }
  });
  p.addHook('uponSanitizeAttribute', (node, data) => {
    if (!current) return;
    const name = data.attrName;
    const el = node as Element;
    if (name === 'style') {
      data.attrValue = scrubCss(data.attrValue, current.opts, current.count);
      return;
    }
    if (name === 'srcset') {
      const v = srcsetAllowed(data.attrValue, current.opts, current.count);
      if (v === null) data.keepAttr = false;
      else keepAs(el, name, v, data);
      return;
    }
    if (URL_ATTRS.has(name)) {
      const v = rewriteUrl(data.attrValue, current.opts, current.count);
      if (v === null) data.keepAttr = false;
      else keepAs(el, name, v, data);
      return;
    }
    if (name === 'href' || name === 'xlink:href') {
      const isLink = el.nodeName === 'A' || el.nodeName === 'AREA';
      if (!isLink || !/^(https?:|mailto:)/i.test(data.attrValue.trim())) data.keepAttr = false;
    }
  });
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if ((el.nodeName === 'A' || el.nodeName === 'AREA') && el.hasAttribute('href')) {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    } else if (el.nodeName === 'A') {
      el.removeAttribute('target');
    }
  });
  purifier = p;
  return p;
}

/** The message's HTML made safe for the reading frame's body. */
export function sanitizeHtml(html: string, opts: SanitizeOptions): Sanitized {
  const p = instance();
  const count = { blocked: 0 };
  current = { opts, count };
  try {
    const clean = p.sanitize(html, {
      USE_PROFILES: { html: true },
      FORBID_TAGS,
      FORBID_ATTR,
      ADD_TAGS: ['style'],
      ADD_ATTR: ['target'],
      FORCE_BODY: true,
      ALLOW_DATA_ATTR: false,
      ALLOW_UNKNOWN_PROTOCOLS: false,
      WHOLE_DOCUMENT: false,
      RETURN_TRUSTED_TYPE: false,
    }) as unknown as string;
    return { html: clean, blocked: count.blocked };
  } finally {
    current = null;
  }
}

export { FRAME_SANDBOX, buildSrcdoc, frameCsp } from './frame';
