import { matchesPattern } from '@cyberstudio/sdk';

/** Receives events for a subscriber: once per event, however many of its patterns match. */
export type EventSink = (topic: string, data: unknown, source: string) => void;

interface Subscriber {
  sink: EventSink;
  patterns: Set<string>;
}

/**
 * Topic pub/sub between plugins and kernel parts. A subscriber registers patterns (exact,
 * `prefix.*` or `*`) and receives each matching event once.
 */
export class TopicHub {
  readonly #subscribers = new Map<string, Subscriber>();

  /** Adds `pattern` for subscriber `id`, delivering to `sink`. */
  subscribe(id: string, pattern: string, sink: EventSink): void {
    const subscriber = this.#subscribers.get(id);
    if (subscriber) subscriber.patterns.add(pattern);
    else this.#subscribers.set(id, { sink, patterns: new Set([pattern]) });
  }

  /** Removes one pattern of subscriber `id`. */
  unsubscribe(id: string, pattern: string): void {
    const subscriber = this.#subscribers.get(id);
    if (!subscriber) return;
    subscriber.patterns.delete(pattern);
    if (subscriber.patterns.size === 0) this.#subscribers.delete(id);
  }

  /** Removes every pattern of subscriber `id` (a plugin exited). */
  removeSubscriber(id: string): void {
    this.#subscribers.delete(id);
  }

  /** Patterns subscriber `id` holds. */
  patternsOf(id: string): string[] {
    return [...(this.#subscribers.get(id)?.patterns ?? [])];
  }

  /** Delivers an event to every subscriber with a matching pattern; a throwing sink does not stop the others. */
  publish(topic: string, data: unknown, source: string): number {
    let delivered = 0;
    for (const { sink, patterns } of this.#subscribers.values()) {
      for (const pattern of patterns) {
        if (!matchesPattern(pattern, topic)) continue;
        try {
          sink(topic, data, source);
        } catch {
          // A subscriber's failure is its own; the publisher and other subscribers carry on.
        }
        delivered += 1;
        break;
      }
    }
    return delivered;
  }
}
