/**
 * A password on its way to a device. Everything that turns a value into text (template strings, String(),
 * JSON.stringify, util.inspect used by console.log and loggers) sees "[secret]"; only `reveal()` gives the value,
 * and it is called where the bytes go to the wire and nowhere else.
 */
import { inspect } from 'node:util';

export const REDACTED = '[secret]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Replaces every occurrence of each secret's value in text heard from a device (a console echoes commands). */
export function redact(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s.reveal();
    if (v.length > 0) out = out.split(v).join(REDACTED);
  }
  return out;
}
