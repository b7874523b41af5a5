/**
 * The one schema gate, run by the service's `invoke`/`call` for every host: is this a method of the contract, and
 * does its input pass the method's schema? Failures become BAD_REQUEST with the schema's complaints in `details.issues`
 * (paths and messages only, never the rejected value, which may be large or hostile).
 */
import { KilnError } from '../core/errors';
import {
  events,
  methods,
  type EventName,
  type EventPayload,
  type MethodName,
  type ParsedInput,
} from './contract';

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Validates a call; returns the parsed input (defaults filled) or throws KilnError('BAD_REQUEST'). */
export function parseCall<N extends MethodName>(method: N, input: unknown): ParsedInput<N>;
export function parseCall(method: unknown, input: unknown): ParsedInput<MethodName>;
export function parseCall(method: unknown, input: unknown): unknown {
  if (!isMethodName(method)) {
    throw new KilnError('BAD_REQUEST', `Unknown method ${JSON.stringify(String(method).slice(0, 64))}.`, {
      hint: 'The app and its backend may be different versions; restart Kiln.',
    });
  }
  const result = methods[method].input.safeParse(input === undefined ? {} : input);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
    throw new KilnError('BAD_REQUEST', `Invalid input for ${method}: ${issues[0] ?? 'rejected'}.`, {
      hint: 'The request was refused before reaching the device; nothing was changed.',
      details: { method, issues },
    });
  }
  return result.data;
}

/** For clients and tests: checks an event payload against its schema. */
export function parseEvent<E extends EventName>(event: E, payload: unknown): EventPayload<E> {
  return events[event].parse(payload) as EventPayload<E>;
}
