/** The gateway: HTTP + WebSocket access to the kernel on one port. */
export { Gateway, type GatewayOptions } from './gateway.ts';
export { GatewayContext, type ClientCallOptions } from './gateway-context.ts';
export { resolveGatewaySettings } from './gateway-settings.ts';
export { ANONYMOUS, LOCAL_OPERATOR, type UserCaller } from './identity-resolver.ts';
