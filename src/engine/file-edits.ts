/**
 * Turning steps' text edits into writes. Consecutive edits of one file become one write of
 * their combined result (ten sysrc steps: one rc.conf write). A host's run remembers what
 * it wrote: a later edit planned from the same (now older) read applies to what this run
 * made of the file, which is sound because the engine only lets a step plan from a read
 * that nothing since has touched in the part it edits (one variable, say). Every write
 * carries what the host's file must still be, so a file changed by someone else in
 * between is refused on the host instead of overwritten.
 */
import type { Action, EditAction } from '../modules/types.js';
import { sha256Hex } from '../util/digest.js';

export type WriteAction = Extract<Action, { kind: 'write' }> & { expect?: { sha256: string } | 'absent' };
export type ResolvedAction = Exclude<Action, EditAction | { kind: 'write' }> | WriteAction;

export class EditedFiles {
  /** Per path: the read our edits started from, and the text they made of it. */
  private readonly chains = new Map<string, { base: string | null; text: string }>();

  /** The actions in order, each run of edits of one file (planned from one read) as one write. */
  resolve(actions: readonly Action[]): ResolvedAction[] {
    const out: ResolvedAction[] = [];
    let run: EditAction[] = [];
    const flush = () => {
      if (run.length > 0) out.push(this.write(run));
      run = [];
    };
    for (const a of actions) {
      if (a.kind !== 'edit') {
        flush();
        out.push(a);
        continue;
      }
      const first = run[0];
      if (first && (first.path !== a.path || first.base !== a.base)) flush();
      run.push(a);
    }
    flush();
    return out;
  }

  /** What this run wrote to PATH is unknown now (its write failed, or may not have happened). */
  forget(path: string): void {
    this.chains.delete(path);
  }

  private write(edits: EditAction[]): WriteAction {
    const { path, base } = edits[0] as EditAction;
    const chain = this.chains.get(path);
    const current = chain && chain.base === base ? chain.text : base;
    const content = edits.reduce((text, e) => e.edit(text), current ?? '');
    this.chains.set(path, { base, text: content });
    return { kind: 'write', path, content, expect: current === null ? 'absent' : { sha256: sha256Hex(current) } };
  }
}
