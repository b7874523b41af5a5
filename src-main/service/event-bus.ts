/**
 * Fan-out of contract events from the service to every host connection. A listener that throws is logged
 * and skipped: one broken window or socket must not stop progress reaching the others.
 */
import type { EventName, EventPayload } from './contract';
import type { Logger } from './deps';

export type ServiceEventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export class EventBus {
  private readonly listeners = new Set<ServiceEventListener>();

  constructor(private readonly logger: Logger) {}

  subscribe(listener: ServiceEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch (e) {
        this.logger.warn(`event listener failed on ${event}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
