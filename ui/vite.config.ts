import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';

// The gateway `vite dev` forwards /api, /auth, /rpc and /ws to (see ui/README.md).
const kernelUrl = process.env.CYBERSTUDIO_URL ?? 'http://127.0.0.1:6813';
const version = (JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as { version: string }).version;
const builtAt = new Date().toISOString();

/** Writes build-info.json next to index.html, so the admin-ui plugin can report what it serves. */
function buildInfo(): Plugin {
  return {
    name: 'cyberstudio-build-info',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'build-info.json', source: `${JSON.stringify({ version, builtAt })}\n` });
    },
  };
}

export default defineConfig({
  plugins: [solid(), buildInfo()],
  define: {
    __STUDIO_VERSION__: JSON.stringify(version),
    __STUDIO_BUILT_AT__: JSON.stringify(builtAt),
  },
  build: {
    target: 'es2022',
    outDir: process.env.CYBERSTUDIO_UI_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    reportCompressedSize: false,
    // Monaco's chunk (about 4 MB) loads only when an editor is first shown; the main bundle stays far below this.
    chunkSizeWarningLimit: 4500,
  },
  server: {
    // The themes live beside ui/ at the repository root.
    fs: { allow: ['..'] },
    proxy: Object.fromEntries(
      ['/api', '/auth', '/rpc', '/health', '/metrics', '/ws'].map((path) => [
        path,
        {
          target: kernelUrl,
          changeOrigin: true,
          ws: path === '/ws',
          // The gateway refuses sockets and state-changing requests from any origin but its own:
          // the dev server's pages are the kernel's own through this proxy, so they say so.
          configure: (proxy) => {
            proxy.on('proxyReqWs', (request) => request.setHeader('origin', kernelUrl));
            proxy.on('proxyReq', (request) => {
              if (request.getHeader('origin') !== undefined) request.setHeader('origin', kernelUrl);
            });
          },
        },
      ]),
    ),
  },
});
