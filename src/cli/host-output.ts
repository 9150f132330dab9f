/**
 * Streams many hosts' output into one terminal: every complete line is printed at once,
 * prefixed with its host, so lines of different hosts never interleave mid-line. Control
 * characters are shown escaped (src/util/terminal-text.ts): a host cannot clear the screen,
 * move the cursor or return to the start of the line to forge another host's output.
 *
 * Linear in what a host sends: the unfinished line is kept as a list of chunks, joined once
 * when it ends. A line longer than MAX_LINE_CHARS is printed in pieces of about that size
 * as it comes, so a host that never prints a newline is neither held in memory nor hidden.
 */
import { escapeControls } from '../util/terminal-text.js';

/** Beyond this many characters without a newline, what arrived so far is printed as a line. */
export const MAX_LINE_CHARS = 64 * 1024;

export class PrefixedLineWriter {
  private partial: string[] = [];
  private partialLength = 0;

  constructor(
    private readonly prefix: string,
    private readonly write: (text: string) => void,
  ) {}

  push(chunk: string): void {
    const lastNewline = chunk.lastIndexOf('\n');
    if (lastNewline >= 0) {
      const lines = (this.take() + chunk.slice(0, lastNewline)).split('\n');
      this.write(lines.map((l) => this.line(l)).join(''));
      chunk = chunk.slice(lastNewline + 1);
    }
    if (chunk === '') return;
    this.partial.push(chunk);
    this.partialLength += chunk.length;
    if (this.partialLength >= MAX_LINE_CHARS) this.write(this.line(this.take()));
  }

  flush(): void {
    if (this.partialLength > 0) this.write(this.line(this.take()));
  }

  private take(): string {
    const text = this.partial.join('');
    this.partial = [];
    this.partialLength = 0;
    return text;
  }

  private line(text: string): string {
    return `${this.prefix}${escapeControls(text)}\n`;
  }
}
