import { createHash } from 'node:crypto';

/** The sha256 of TEXT's UTF-8 bytes, as `sha256 -q` prints it on the host. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
