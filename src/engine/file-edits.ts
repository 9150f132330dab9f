/**
 * Turning steps' text edits into writes. Consecutive edits of one file become one write of
 * their combined result (ten sysrc steps: one rc.conf write). A host's run keeps, per file,
 * the newest text it knows (what it last wrote, or a newer read) and every older version it
 * has seen. An edit planned from an older version applies to the newest text: sound, because
 * the engine lets a step plan from a read only while nothing since has touched the part it
 * edits (one rc.conf variable, say). An edit planned from a version never seen comes from a
 * read made after this run's last write, so that read is the newest. Every write carries what
 * the host's file must still be, so a file changed by someone else in between is refused on
 * the host instead of overwritten.
 */
import type { Action, EditAction } from '../modules/kit/contract.js';
import { sha256Hex } from '../util/digest.js';

export type WriteAction = Extract<Action, { kind: 'write' }> & { expect?: { sha256: string } | 'absent' };
export type ResolvedAction = Exclude<Action, EditAction | { kind: 'write' }> | WriteAction;

/** A version of a file: its sha256, or ABSENT. */
const ABSENT = 'absent';
const versionOf = (text: string | null) => (text === null ? ABSENT : sha256Hex(text));

export class EditedFiles {
  private readonly versions = new Map<string, { newest: string; older: Set<string> }>();

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
      if (first && (first.path !== a.path || first.base !== a.base || first.confineTo !== a.confineTo)) flush();
      run.push(a);
    }
    flush();
    return out;
  }

  /** What this run wrote to PATH is unknown now (its write failed, or may not have happened). */
  forget(path: string): void {
    this.versions.delete(path);
  }

  private write(edits: EditAction[]): WriteAction {
    const { path, base, confineTo } = edits[0] as EditAction;
    const known = this.versions.get(path);
    const baseVersion = versionOf(base);
    const current = known && (known.older.has(baseVersion) || versionOf(known.newest) === baseVersion) ? known.newest : base;
    const content = edits.reduce((text, e) => e.edit(text), current ?? '');
    const older = new Set(known?.older);
    older.add(baseVersion);
    older.add(versionOf(current));
    this.versions.set(path, { newest: content, older });
    const checks = [...new Set(edits.flatMap((e) => (e.validate !== undefined ? [e.validate] : [])))];
    return {
      kind: 'write',
      path,
      content,
      expect: current === null ? ABSENT : { sha256: versionOf(current) },
      ...(confineTo !== undefined ? { confineTo } : {}),
      ...(checks.length > 0 ? { validate: checks.map((c) => `( ${c} )`).join(' && ') } : {}),
    };
  }
}
