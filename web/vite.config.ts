// Vite build of the webmail. The server embeds web/dist and serves it at "/", hashed
// assets under "/assets/" (immutable caching), index.html with a strict CSP: no inline
// script, so Vite's module preload polyfill (an inline snippet in some setups) is off.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const backend = process.env.POSTAMT_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/jmap': { target: backend, changeOrigin: false },
      '/webmail': { target: backend, changeOrigin: false },
      '/.well-known': { target: backend, changeOrigin: false },
    },
  },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    pool: 'threads',
    maxWorkers: 2,
  },
});
