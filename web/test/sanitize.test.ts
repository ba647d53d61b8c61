// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { FRAME_SANDBOX, buildSrcdoc, frameCsp, normalizeCss, sanitizeHtml, scrubCss } from '../src/safe/sanitize';
import { parseSnippet } from '../src/safe/snippet';
import { HOSTILE, REMOTE } from './hostile';

function assertInert(html: string) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  for (const el of doc.body.querySelectorAll('*')) {
    expect(['SCRIPT', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'FORM', 'INPUT', 'LINK', 'META', 'BASE', 'SVG', 'VIDEO', 'AUDIO']).not.toContain(el.nodeName.toUpperCase());
    for (const attr of el.attributes) {
      expect(attr.name.startsWith('on'), `${el.nodeName} ${attr.name}`).toBe(false);
      if (attr.name === 'href') expect(attr.value).toMatch(/^(https?:|mailto:)/);
      expect(attr.value.toLowerCase()).not.toContain('javascript:');
    }
  }
}

describe('sanitizeHtml with remote content blocked', () => {
  for (const c of HOSTILE) {
    it(`neutralises: ${c.name}`, () => {
      const out = sanitizeHtml(c.html, { allowRemote: false });
      assertInert(out.html);
      // No remote URL survives anywhere except in a link the user must click.
      const withoutLinks = out.html.replace(/<a [^>]*>/g, '');
      expect(withoutLinks).not.toContain('remote.invalid');
      expect(out.html).not.toMatch(/<script/i);
    }, 60_000);
  }

  it('counts what it blocked', () => {
    expect(sanitizeHtml(`<img src="${REMOTE}/a.png"><div style="background:url(${REMOTE}/b)">x</div>`, { allowRemote: false }).blocked).toBe(2);
    expect(sanitizeHtml('<p>plain</p>', { allowRemote: false }).blocked).toBe(0);
  });

  it('keeps safe structure, inline data images and styles', () => {
    const out = sanitizeHtml('<style>p{color:red}</style><p class="x" style="color: blue">Hi <b>there</b></p><img alt="dot" src="data:image/png;base64,iVBORw0KGgo=">', { allowRemote: false });
    expect(out.html).toContain('<style>p{color:red}</style>');
    expect(out.html).toContain('<p class="x" style="color: blue">Hi <b>there</b></p>');
    expect(out.html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
  });

  it('makes links open without opener and referrer', () => {
    const out = sanitizeHtml('<a href="https://example.com/x" target="_self">x</a>', { allowRemote: false });
    expect(out.html).toBe('<a href="https://example.com/x" target="_blank" rel="noopener noreferrer">x</a>');
  });

  it('replaces cid: references by the data URLs given', () => {
    const cid = new Map([['logo@x', 'data:image/png;base64,AAAA']]);
    const out = sanitizeHtml('<img src="cid:logo@x"><img src="cid:other@x"><div style="background:url(cid:logo@x)">d</div>', { allowRemote: false, cid });
    expect(out.html).toBe('<img src="data:image/png;base64,AAAA"><img><div style="background:url(&quot;data:image/png;base64,AAAA&quot;)">d</div>');
  });

  it('drops data: URLs that are not images', () => {
    const out = sanitizeHtml('<img src="data:text/html;base64,PHNjcmlwdD4="><img src="data:image/svg+xml,<svg onload=alert(1)>">', { allowRemote: false });
    expect(out.html).toBe('<img><img>');
  });
});

describe('sanitizeHtml with remote content allowed', () => {
  it('keeps remote images and CSS urls but never scripts, frames or imports', () => {
    const out = sanitizeHtml(`<img src="https://img.example/a.png"><div style="background:url(https://img.example/b.png)">x</div><style>@import url(https://img.example/c.css);</style><script>alert(1)</script><iframe src="https://img.example/f"></iframe>`, { allowRemote: true });
    expect(out.html).toContain('src="https://img.example/a.png"');
    expect(out.html).toContain('url(&quot;https://img.example/b.png&quot;)');
    expect(out.html).not.toContain('c.css');
    expect(out.html).not.toContain('script');
    expect(out.html).not.toContain('iframe');
    expect(out.blocked).toBe(1);
  });
});

describe('CSS scrubbing', () => {
  it('undoes escapes and comments', () => {
    expect(normalizeCss('u\\72l(/**/x)')).toBe('url( x)');
  });
  it('removes image-set and bare url tokens when blocked', () => {
    const count = { blocked: 0 };
    expect(scrubCss('a{b:image-set("http://x/y" 1x)} c{d:url(http://x/z)}', { allowRemote: false }, count)).toBe('a{b:none} c{d:none}');
    expect(count.blocked).toBe(2);
  });
  it('neutralises old script hooks', () => {
    expect(scrubCss('x{width:expression(alert(1));behavior:url(a.htc)}', { allowRemote: false }, { blocked: 0 })).not.toMatch(/expression\(|behavior:/);
  });
});

describe('the reading frame', () => {
  it('CSP allows no script and remote images only when allowed', () => {
    expect(frameCsp('http://127.0.0.1:8080', false)).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data: blob: http://127.0.0.1:8080; font-src data:; form-action 'none'; base-uri 'none'",
    );
    expect(frameCsp('http://127.0.0.1:8080', true)).toContain('img-src data: blob: https: http: http://127.0.0.1:8080;');
  });
  it('srcdoc starts with the CSP meta, escaped', () => {
    const doc = buildSrcdoc('<p>x</p>', `img-src "a"`);
    expect(doc.startsWith('<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="img-src &quot;a&quot;">')).toBe(true);
    expect(doc.endsWith('<body><p>x</p></body></html>')).toBe(true);
  });
  it('sandbox never allows scripts or the same origin', () => {
    expect(FRAME_SANDBOX).not.toContain('allow-scripts');
    expect(FRAME_SANDBOX).not.toContain('allow-same-origin');
  });
});

describe('search snippets', () => {
  it('keeps only <mark> and decodes entities', () => {
    expect(parseSnippet('a &lt;b&gt; <mark>hit</mark> &amp; <img src=x> &#39;q&#39;')).toEqual([
      { text: 'a <b> ', mark: false },
      { text: 'hit', mark: true },
      { text: " & <img src=x> 'q'", mark: false },
    ]);
    expect(parseSnippet(null)).toEqual([]);
  });
});
