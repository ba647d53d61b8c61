// First-load size of the webmail: the JavaScript and CSS that index.html references,
// raw and gzip-compressed (level 9, as a server precompressing its embedded assets
// would). Prints one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const out = { js: { raw: 0, gzip: 0 }, css: { raw: 0, gzip: 0 }, html: { raw: 0, gzip: 0 } };
for (const ref of refs) {
  const bytes = fs.readFileSync(path.join(dist, ref));
  const kind = ref.endsWith('.js') ? 'js' : 'css';
  out[kind].raw += bytes.length;
  out[kind].gzip += zlib.gzipSync(bytes, { level: 9 }).length;
}
const h = Buffer.from(html);
out.html = { raw: h.length, gzip: zlib.gzipSync(h, { level: 9 }).length };
console.log(JSON.stringify({ files: refs, ...out, totalGzip: out.js.gzip + out.css.gzip }));
