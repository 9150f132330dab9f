/**
 * Streams many hosts' output into one terminal: every complete line is printed at once,
 * prefixed with its host, so lines of different hosts never interleave mid-line.
 */
export class PrefixedLineWriter {
  private partial = '';

  constructor(
    private readonly prefix: string,
    private readonly write: (text: string) => void,
  ) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (lines.length > 0) this.write(lines.map((l) => `${this.prefix}${l}\n`).join(''));
  }

  flush(): void {
    if (this.partial) this.write(`${this.prefix}${this.partial}\n`);
    this.partial = '';
  }
}
