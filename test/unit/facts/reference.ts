/** ../shared/freebsd-reference: real FreeBSD outputs; the first two lines say where each comes from. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/freebsd-reference');

/** The command output of a reference file (its two header lines removed). */
export function reference(name: string): string {
  const text = fs.readFileSync(path.join(REFERENCE_DIR, name), 'utf8');
  return text.split('\n').slice(2).join('\n');
}
