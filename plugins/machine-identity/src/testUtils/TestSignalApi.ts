import type { SignalApi } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import { act } from '@testing-library/react';

/**
 * A SignalApi for component tests: what the signals plugin's client does
 * once a message arrives on its WebSocket, without the socket. `publish`
 * delivers a message to the channel's current subscribers.
 */
export class TestSignalApi implements SignalApi {
  private readonly subscribers = new Map<string, Set<(message: JsonObject) => void>>();

  subscribe<TMessage extends JsonObject = JsonObject>(channel: string, onMessage: (message: TMessage) => void) {
    const set = this.subscribers.get(channel) ?? new Set();
    const handler = onMessage as (message: JsonObject) => void;
    set.add(handler);
    this.subscribers.set(channel, set);
    return { unsubscribe: () => set.delete(handler) };
  }

  /** Channels someone listens to now. */
  channels(): string[] {
    return [...this.subscribers].filter(([, s]) => s.size > 0).map(([c]) => c);
  }

  publish(channel: string, message: JsonObject): void {
    act(() => {
      for (const handler of this.subscribers.get(channel) ?? []) handler(message);
    });
  }
}
