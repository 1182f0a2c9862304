import type { ConnectionCounts } from '@cyberstudio/kernel/answers';
import type { KernelStatus } from './kernel-types.ts';

/** `kernel.status` with the fields the System page reads beyond the dashboard's (docs/API.md, kernel.status). */
export interface SystemStatus extends KernelStatus {
  /** Kernel process CPU since the previous kernel.status; 100 = one full core. */
  cpuPercent: number;
  registry: string;
  dataDir: string;
  logsDropped: number;
  webSockets: ConnectionCounts;
}

/** One open WebSocket of the gateway (`kernel.connections`): the kernel's own type. */
export type { ConnectionInfo as GatewayConnection } from '@cyberstudio/kernel/answers';

/** One open studio session of the auth plugin (`auth.sessions.list`); never its token. */
export interface SignInSession {
  id: string;
  userId: string;
  username: string;
  role: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
  /** The session this browser signed in with. */
  current: boolean;
}

/** What `GET /health` answers (200, or 503 when down). */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  kernel: { name: string; version: string; uptimeMs: number; pid: number };
  plugins: Array<{ name: string; state: string; required: boolean; enabled: boolean }>;
}
