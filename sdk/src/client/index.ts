/** @cyberstudio/sdk/client: the platform-neutral JSON-RPC client of the gateway's `/ws`, for the CLI, the studio and other outside programs. */
export { ClientDefaults } from './client-defaults.ts';
export { GatewayConnection, type GatewayRequestOptions } from './gateway-connection.ts';
export type { GatewayEvent, TopicEvent, TopicFilter } from './gateway-event.ts';
export { ReconnectingClient, type ConnectionState, type ReconnectingClientOptions, type Subscription } from './reconnecting-client.ts';
export { SOCKET_OPEN, type SocketCloseEvent, type SocketHandler, type WebSocketLike } from './web-socket-like.ts';
