import { createHash } from 'node:crypto';

/** The sha256 of TEXT's UTF-8 bytes (or of the bytes given), as `sha256 -q` prints it on the host. */
export function sha256Hex(text: string | Buffer): string {
  const h = createHash('sha256');
  return (typeof text === 'string' ? h.update(text, 'utf8') : h.update(text)).digest('hex');
}
