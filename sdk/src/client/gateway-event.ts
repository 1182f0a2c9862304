// The subscription messages of the gateway's /ws (docs/API.md, Subscriptions).

/** `$/subscribe` params: a topic, optionally narrowed to one plugin or a least log level. */
export interface TopicFilter {
  topic: string;
  plugin?: string;
  level?: string;
}

/** One `$/event`; `dropped` counts this subscription's events the gateway dropped just before it. */
export interface TopicEvent {
  topic: string;
  source: string;
  data: unknown;
  dropped?: number;
}

/** The params of a `$/event` notification: the event and the subscription it belongs to. */
export interface GatewayEvent extends TopicEvent {
  subscription: string | number;
}
