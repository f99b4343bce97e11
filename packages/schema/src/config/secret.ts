import { inspect } from 'node:util';

export const MASK = '********';

/**
 * A value that must never be printed. Every way of turning it into text (template strings,
 * JSON.stringify, console.log / util.inspect) yields the mask; only reveal() gives the value,
 * and only the code that hands it to a database driver calls that.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}
