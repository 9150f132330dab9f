import { describe, expect, it } from 'vitest';
import { EditedFiles } from '../../../src/engine/file-edits.js';
import type { Action } from '../../../src/modules/kit/contract.js';
import { sha256Hex } from '../../../src/util/digest.js';

const append = (path: string, base: string | null, line: string): Action => ({ kind: 'edit', path, base, edit: (t) => `${t}${line}\n` });

describe('EditedFiles', () => {
  it('makes one write of consecutive edits of a file planned from one read, expecting that read', () => {
    const out = new EditedFiles().resolve([
      append('/f', 'x\n', 'a'),
      append('/f', 'x\n', 'b'),
      { kind: 'script', script: 'true' },
      append('/g', null, 'c'),
    ]);
    expect(out).toEqual([
      { kind: 'write', path: '/f', content: 'x\na\nb\n', expect: { sha256: sha256Hex('x\n') } },
      { kind: 'script', script: 'true' },
      { kind: 'write', path: '/g', content: 'c\n', expect: 'absent' },
    ]);
  });

  it('applies a later edit planned from the same old read to what this run wrote; a fresh read starts anew', () => {
    const files = new EditedFiles();
    files.resolve([append('/f', 'x\n', 'a')]);
    expect(files.resolve([append('/f', 'x\n', 'b')])).toEqual([
      { kind: 'write', path: '/f', content: 'x\na\nb\n', expect: { sha256: sha256Hex('x\na\n') } },
    ]);
    expect(files.resolve([append('/f', 'fresh\n', 'c')])).toEqual([
      { kind: 'write', path: '/f', content: 'fresh\nc\n', expect: { sha256: sha256Hex('fresh\n') } },
    ]);
  });

  it('an edit planned from any older version applies to the newest text, also after a fresh read', () => {
    const files = new EditedFiles();
    files.resolve([append('/f', 'x\n', 'a')]);
    // another step re-read the file (it had touched what that step reads) and edited it
    files.resolve([append('/f', 'x\na\n', 'b')]);
    // a step whose variable nothing touched still plans from the first read
    expect(files.resolve([append('/f', 'x\n', 'c')])).toEqual([
      { kind: 'write', path: '/f', content: 'x\na\nb\nc\n', expect: { sha256: sha256Hex('x\na\nb\n') } },
    ]);
  });

  it('after a failed write, plans from the read again (the host refuses it if the file moved on)', () => {
    const files = new EditedFiles();
    files.resolve([append('/f', 'x\n', 'a')]);
    files.forget('/f');
    expect(files.resolve([append('/f', 'x\n', 'b')])).toEqual([
      { kind: 'write', path: '/f', content: 'x\nb\n', expect: { sha256: sha256Hex('x\n') } },
    ]);
  });
});
