import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

// Builds the desktop app from the top-level folders (electron-vite's default is src/):
//   main/electron/index.ts -> out/main/index.js      (ESM; runtime deps stay in node_modules)
//   preload/index.ts       -> out/preload/index.cjs  (CommonJS: a sandboxed preload cannot be ESM)
//   renderer/index.html    -> out/renderer/
// `electron-vite build --outDir DIR` puts the same three folders under DIR instead.

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

/**
 * The dev server's hot reload needs an inline script and a websocket, which the page's strict CSP
 * (renderer/index.html) forbids. Only `electron-vite dev` gets this looser policy; builds keep
 * the strict one as written.
 */
function devServerCsp(): Plugin {
  return {
    name: 'hookbox:dev-server-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(
        /(http-equiv="Content-Security-Policy"\s+content=")([^"]*)"/,
        (_match, head: string, policy: string) => {
          const relaxed = policy
            .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
            .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
            .replace("connect-src 'none'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");
          return `${head}${relaxed}"`;
        },
      );
    },
  };
}

export default defineConfig({
  main: {
    define: {
      // main/core/version.ts reads package.json next to the source otherwise; the bundle moves.
      __HOOKBOX_VERSION__: JSON.stringify(pkg.version),
    },
    build: {
      outDir: resolve(root, 'out/main'),
      // better-sqlite3 (a native addon), fastify, pino… load from node_modules at run time.
      externalizeDeps: true,
      lib: { entry: resolve(root, 'main/electron/index.ts') },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Sandboxed preloads can require only a few Electron modules: everything else is bundled.
      externalizeDeps: false,
      lib: { entry: resolve(root, 'preload/index.ts') },
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react(), devServerCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // React and CodeMirror in one file, read from disk or loopback: no network to split for.
      chunkSizeWarningLimit: 1500,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
