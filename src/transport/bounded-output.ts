/**
 * What the controller keeps of one command's stdout or stderr: bounded, whatever the host
 * sends. A host can print gigabytes; held whole, 700 MB exceeds V8's longest string and the
 * controller dies with every host's results. So the first `headBytes` are kept, then only
 * the last `tailBytes` (where a batch's later frames and the end markers are), and the
 * bytes in between are counted, not kept.
 *
 * Limits (OUTPUT_LIMITS): 64 MiB of stdout, 16 MiB of stderr, each plus a 4 MiB tail. The
 * largest real output is a facts round trip: file contents are read up to 1 MiB each and
 * only with --diff (larger files are compared by sha256), so 64 MiB is dozens of files.
 */

export interface StreamLimit {
  headBytes: number;
  tailBytes: number;
}

export const OUTPUT_LIMITS: { stdout: StreamLimit; stderr: StreamLimit } = {
  stdout: { headBytes: 64 * 1024 * 1024, tailBytes: 4 * 1024 * 1024 },
  stderr: { headBytes: 16 * 1024 * 1024, tailBytes: 4 * 1024 * 1024 },
};

/** Where bytes were dropped from a stream: at character AT of the kept text, BYTES of them. */
export interface Elision {
  at: number;
  bytes: number;
  /** Bytes the command printed in all. */
  total: number;
  /** The bytes a stream may have before any is dropped (head and tail). */
  limit: number;
}

export class BoundedOutput {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;
  private totalBytes = 0;

  constructor(private readonly limit: StreamLimit) {}

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const room = this.limit.headBytes - this.headLength;
    if (room > 0) {
      const taken = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.head.push(taken);
      this.headLength += taken.length;
      if (taken === chunk) return;
      chunk = chunk.subarray(room);
    }
    this.tail.push(chunk);
    this.tailLength += chunk.length;
    // Drop whole chunks from the front while the rest still fills the tail.
    while (this.tail.length > 1 && this.tailLength - (this.tail[0] as Buffer).length >= this.limit.tailBytes) {
      this.tailLength -= (this.tail.shift() as Buffer).length;
    }
  }

  get total(): number {
    return this.totalBytes;
  }

  /** The kept text (UTF-8; a character cut at the gap becomes U+FFFD) and where the gap is, if any. */
  text(): { text: string; elided?: Elision } {
    const head = Buffer.concat(this.head).toString('utf8');
    if (this.tail.length === 0) return { text: head };
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.limit.tailBytes) tail = tail.subarray(tail.length - this.limit.tailBytes);
    const bytes = this.totalBytes - this.headLength - tail.length;
    const text = head + tail.toString('utf8');
    return bytes > 0
      ? { text, elided: { at: head.length, bytes, total: this.totalBytes, limit: this.limit.headBytes + this.limit.tailBytes } }
      : { text };
  }
}

/** The error of a command whose output went past its limit. */
export function tooLargeMessage(e: Pick<Elision, 'total' | 'limit'>, what = 'output'): string {
  return `${what} too large: ${e.total} bytes (limit ${e.limit})`;
}
