/**
 * A "checking …" line on a terminal while a slow check runs, erased before the result prints.
 * In a pipe it prints nothing, so the output stays what the report says.
 */
export class Progress {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#enabled = Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
  }

  start(title: string): void {
    if (!this.#enabled) return;
    this.stop();
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    // Only a check slower than a blink shows a spinner: no flicker on a healthy run.
    const tick = () => {
      this.#stream.write(`\r\x1b[2K${frames[this.#frame++ % frames.length]} ${title}…`);
      this.#timer = setTimeout(tick, 80);
    };
    this.#timer = setTimeout(tick, 150);
  }

  stop(): void {
    if (!this.#enabled) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stream.write('\r\x1b[2K');
  }
}
