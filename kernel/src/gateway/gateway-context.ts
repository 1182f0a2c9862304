import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { CancellationSignal } from '@cyberstudio/sdk';
import type { Kernel } from '../kernel.ts';
import type { GatewaySettings } from '../registry/index.ts';
import { AccessPolicy } from './access-policy.ts';
import { credentialFrom } from './credentials.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { HostGuard } from './host-guard.ts';
import { IdentityResolver, type UserCaller } from './identity-resolver.ts';
import { InFlightRequests } from './in-flight-requests.ts';

/** Options of one call made on behalf of a client. */
export interface ClientCallOptions {
  signal?: CancellationSignal;
  onProgress?(chunk: unknown): void;
  traceId?: string;
}

/**
 * What every part of the gateway shares: the kernel, the settings in force, identity, access
 * policy, the Host and Origin guard, the HTTP requests in flight and metrics. Calls from outside go through `call`, which applies the access policy
 * before the bus sees them.
 */
export class GatewayContext {
  readonly kernel: Kernel;
  readonly settings: GatewaySettings;
  readonly logger: Logger;
  readonly identity: IdentityResolver;
  readonly policy: AccessPolicy;
  readonly metrics: GatewayMetrics;
  /** Which Host headers and Origins are served. */
  readonly hosts: HostGuard;
  /** HTTP requests with calls running, answered ShuttingDown when the gateway closes. */
  readonly inFlight = new InFlightRequests();

  constructor(kernel: Kernel, settings: GatewaySettings, logger: Logger, metrics: GatewayMetrics) {
    this.kernel = kernel;
    this.settings = settings;
    this.logger = logger;
    this.metrics = metrics;
    this.policy = new AccessPolicy(settings.access);
    this.identity = new IdentityResolver(settings.auth, (capability, params) => kernel.call(capability, params));
    this.hosts = new HostGuard(settings, this.identity.enabled);
  }

  /** The caller of a request with these headers; rejects with Unauthenticated when its credential is rejected. */
  callerOf(headers: IncomingHttpHeaders): Promise<UserCaller> {
    return this.identity.resolve(this.#credentialOf(headers));
  }

  /** The caller when it is known at once (no auth, no credential, a cached answer), else undefined; throws as `callerOf` rejects. */
  callerNow(headers: IncomingHttpHeaders): UserCaller | undefined {
    return this.identity.resolveNow(this.#credentialOf(headers));
  }

  #credentialOf(headers: IncomingHttpHeaders) {
    return credentialFrom(headers, this.settings.auth?.sessionCookie ?? 'cyberstudio_session');
  }

  /** Calls `capability` as `caller` after the access policy allows it. */
  call(caller: UserCaller, capability: string, params: Record<string, unknown>, options: ClientCallOptions = {}): Promise<unknown> {
    try {
      this.policy.assertCall(caller, capability);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.kernel.bus.call(capability, params, { caller, signal: options.signal, onProgress: options.onProgress, traceId: options.traceId });
  }
}
