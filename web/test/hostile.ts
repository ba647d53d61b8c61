// The hostile-HTML corpus: each case is HTML a message might carry. Shared by the unit
// tests of the sanitiser and the e2e test that renders them in chromium. Remote URLs
// point at REMOTE, which the e2e test replaces by a local listener that must see nothing.
export const REMOTE = 'http://remote.invalid:1';

export const HOSTILE: { name: string; html: string }[] = [
  { name: 'script tag', html: `<p>hi</p><script>window.top.pwned=1;alert(1)</script>` },
  { name: 'script in head', html: `<html><head><script src="${REMOTE}/s.js"></script></head><body>x</body></html>` },
  { name: 'event handlers', html: `<img src=x onerror="alert(1)"><body onload="alert(2)"><div onmouseover="alert(3)">d</div>` },
  { name: 'javascript url', html: `<a href="javascript:alert(1)">j</a><a href=" JaVaScRiPt:alert(1)">k</a><a href="java&#x09;script:alert(1)">l</a>` },
  { name: 'data html url', html: `<a href="data:text/html,<script>alert(1)</script>">d</a><iframe src="data:text/html,<script>alert(1)</script>"></iframe>` },
  { name: 'svg with script', html: `<svg><script>alert(1)</script><image href="${REMOTE}/svg.png"/></svg><svg onload="alert(1)"/>` },
  { name: 'remote image', html: `<img src="${REMOTE}/pixel.gif" width=1 height=1>` },
  { name: 'protocol relative image', html: `<img src="//remote.invalid:1/pr.gif">` },
  { name: 'srcset', html: `<img srcset="${REMOTE}/a.png 1x, ${REMOTE}/b.png 2x">` },
  { name: 'background attribute', html: `<table background="${REMOTE}/bg.png"><tr><td background="${REMOTE}/td.png">t</td></tr></table>` },
  { name: 'css url beacon', html: `<div style="background:url(${REMOTE}/css.png)">c</div><div style="background-image: url( '${REMOTE}/css2.png' )">c</div>` },
  { name: 'css escaped url', html: `<div style="background:u\\72l(${REMOTE}/esc.png)">e</div>` },
  { name: 'style tag import', html: `<style>@import url(${REMOTE}/i.css); @import "${REMOTE}/j.css"; body{background:url("${REMOTE}/body.png")} @font-face{font-family:x;src:url(${REMOTE}/f.woff)} p{background-image:image-set("${REMOTE}/set.png" 1x)}</style><p>s</p>` },
  { name: 'link stylesheet', html: `<link rel=stylesheet href="${REMOTE}/l.css"><link rel=prefetch href="${REMOTE}/pf">` },
  { name: 'meta refresh', html: `<meta http-equiv="refresh" content="0;url=${REMOTE}/refresh"><p>m</p>` },
  { name: 'form', html: `<form action="${REMOTE}/post" method=post><input name=p value=x><button>go</button><input type=image src="${REMOTE}/btn.png"></form>` },
  { name: 'nested frames', html: `<iframe src="${REMOTE}/frame"></iframe><frameset><frame src="${REMOTE}/f2"></frameset><object data="${REMOTE}/o"></object><embed src="${REMOTE}/e">` },
  { name: 'media', html: `<video poster="${REMOTE}/poster.png" src="${REMOTE}/v.mp4"></video><audio src="${REMOTE}/a.mp3"></audio>` },
  { name: 'base and ping', html: `<base href="${REMOTE}/"><a href="https://example.com/" ping="${REMOTE}/ping">p</a>` },
  { name: 'malformed markup', html: `<p<img src="${REMOTE}/m1.png"<b>x</p><img """><script>alert(1)</script>"><img src=${REMOTE}/m2.png?<!--` },
  { name: 'noscript mxss', html: `<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>` },
  { name: 'huge message', html: `<div>${'<p>lorem ipsum dolor sit amet</p>'.repeat(20000)}</div><img src="${REMOTE}/huge.png">` },
];
