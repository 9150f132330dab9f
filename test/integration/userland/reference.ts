/** Reading ../shared/freebsd-reference files: the output after the two header lines. */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../lab/layout.js';

export const REFERENCE_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'freebsd-reference');

export function referenceLines(name: string): string[] {
  const lines = fs.readFileSync(path.join(REFERENCE_DIR, name), 'utf8').split('\n').slice(2);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
