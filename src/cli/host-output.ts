/**
 * Streams many hosts' output into one terminal: every complete line is printed at once,
 * prefixed with its host, so lines of different hosts never interleave mid-line. Control
 * characters are shown escaped (src/util/terminal-text.ts): a host cannot clear the screen,
 * move the cursor or return to the start of the line to forge another host's output.
 */
import { escapeControls } from '../util/terminal-text.js';

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
    if (lines.length > 0) this.write(lines.map((l) => `${this.prefix}${escapeControls(l)}\n`).join(''));
  }

  flush(): void {
    if (this.partial) this.write(`${this.prefix}${escapeControls(this.partial)}\n`);
    this.partial = '';
  }
}
