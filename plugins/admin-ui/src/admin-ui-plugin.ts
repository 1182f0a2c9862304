import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { defineCapability, definePlugin, type Caller } from '@cyberstudio/sdk';
import { readBuildInfo } from './build-info.ts';
import { StaticSite } from './static-site.ts';

/** The plugin's config in plugins.json. */
export interface AdminUiConfig {
  /** The studio's build directory; default: the repository's ui/dist. */
  distDir?: string;
}

/** What `studio.info` answers. */
export interface StudioInfo {
  /** The admin-ui plugin's version. */
  version: string;
  /** The directory served. */
  distDir: string;
  /** Whether a build is there to serve. */
  built: boolean;
  /** The ui package version of that build, and when it was built (ISO 8601); null without a build or its build-info.json. */
  uiVersion: string | null;
  builtAt: string | null;
}

const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../ui/dist', import.meta.url));
const VERSION = '0.1.0';

let site: StaticSite | undefined;
let server: Server | undefined;

const info = defineCapability<Record<string, never>, StudioInfo, AdminUiConfig>({
  description: 'The studio being served: plugin version, build directory, and the build\'s version and time (null when not built).',
  params: { type: 'object', additionalProperties: false },
  result: {
    type: 'object',
    properties: {
      version: { type: 'string' },
      distDir: { type: 'string' },
      built: { type: 'boolean' },
      uiVersion: { type: ['string', 'null'] },
      builtAt: { type: ['string', 'null'] },
    },
    required: ['version', 'distDir', 'built', 'uiVersion', 'builtAt'],
  },
  async handler() {
    const built = await site!.built();
    const build = built ? await readBuildInfo(site!.root) : null;
    return { version: VERSION, distDir: site!.root, built, uiVersion: build?.version ?? null, builtAt: build?.builtAt ?? null };
  },
});

const whoami = defineCapability<Record<string, never>, Caller>({
  description: 'The caller as the gateway resolved it ({ kind, id, name, roles } for a user): the studio asks it to learn who is signed in and with which role.',
  params: { type: 'object', additionalProperties: false },
  result: { type: 'object', properties: { kind: { type: 'string' } }, required: ['kind'] },
  handler(_params, ctx) {
    const caller = ctx.caller;
    // Session and key ids stay out: the page needs the identity, not handles on the credential.
    return caller.kind === 'user' ? { kind: 'user', id: caller.id, name: caller.name ?? caller.id, roles: caller.roles } : caller;
  },
});

/** The studio's web server: serves ui/dist to the gateway's `http.mount` and answers studio.info / studio.whoami. */
export const adminUiPlugin = definePlugin<AdminUiConfig>({
  name: 'admin-ui',
  version: VERSION,
  configSchema: {
    type: 'object',
    properties: { distDir: { type: 'string', minLength: 1, description: 'The build directory to serve; default: the repository\'s ui/dist.' } },
    additionalProperties: false,
  },
  capabilities: { 'studio.info': info, 'studio.whoami': whoami },
  async http({ config, log }) {
    const current = new StaticSite(config.distDir ?? DEFAULT_DIST_DIR);
    site = current;
    server = createServer((request, response) => {
      current.handle(request, response).catch((error: unknown) => {
        log.error({ err: error, url: request.url }, 'serving the studio failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Internal error while serving the studio.\n');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    if (await current.built()) log.info({ port, distDir: current.root, builtAt: (await readBuildInfo(current.root))?.builtAt }, 'serving the studio');
    else log.warn({ port, distDir: current.root }, 'the studio is not built: answering 503 until `npm run build -w ui` has run');
    return { port };
  },
  dispose: () =>
    new Promise<void>((resolve) => {
      // Keep-alive connections from the gateway would hold close() open.
      server?.closeAllConnections();
      if (server?.listening) server.close(() => resolve());
      else resolve();
    }),
});
