import { createHash } from 'node:crypto';

/** The sha256 of TEXT's UTF-8 bytes (or of the bytes given), as `sha256 -q` prints it on the host. */
export function sha256Hex(data: string | Uint8Array): string {
  return typeof data === 'string'
    ? createHash('sha256').update(data, 'utf8').digest('hex')
    : createHash('sha256').update(data).digest('hex');
}
