import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';
import type { GatewaySettings } from '../registry/index.ts';

/** Environment variables that override the registry's gateway host and port. */
export const GATEWAY_HOST_ENV = 'CYBERSTUDIO_HOST';
export const GATEWAY_PORT_ENV = 'CYBERSTUDIO_PORT';

/**
 * The gateway settings in force: plugins.json's `gateway` section, then the environment
 * (CYBERSTUDIO_HOST / CYBERSTUDIO_PORT), then command-line flags, each overriding the last.
 * Throws LocalError CDS_ERR_GATEWAY_LISTEN_FAILED for a port that is not 0..65535.
 */
export function resolveGatewaySettings(
  fromRegistry: GatewaySettings,
  overrides: { host?: string; port?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): GatewaySettings {
  const host = overrides.host ?? nonEmpty(env[GATEWAY_HOST_ENV]) ?? fromRegistry.host;
  const portText = overrides.port ?? nonEmpty(env[GATEWAY_PORT_ENV]);
  const port = portText === undefined ? fromRegistry.port : parsePort(portText, overrides.port !== undefined ? '--port' : GATEWAY_PORT_ENV, host);
  return { ...fromRegistry, host, port };
}

function parsePort(text: string, source: string, host: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new LocalError(LocalErrorCode.GatewayListenFailed, `${source} must be a port number from 0 to 65535, not '${text}'`, { host, port: text, reason: 'bad port' });
  }
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
