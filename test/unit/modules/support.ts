/** Planning a module step from arguments and facts, without a host. */
import type { AnyModule, Change, StepContext, Target } from '../../../src/modules/kit/contract.js';
import type { FileState } from '../../../src/facts/file-state.js';

export function ctx(target: Target = { kind: 'host' }, extra: Partial<StepContext> = {}): StepContext {
  return { host: 'h1', target, check: false, diff: false, ...extra };
}

/** Validate ARGS as the loader does, then plan with FACTS. */
export function plan(module: AnyModule, args: unknown, facts: Record<string, unknown>, context: StepContext = ctx()): Change[] {
  return module.plan(module.args.parse(args), facts, context);
}

/**
 * Each change's action in a line: a script as is, a write as WRITE PATH, a confirmed change as
 * CONFIRMED and its apply script, an edit as EDIT
 * PATH with the lines it removes (-) and adds (+) when applied to the text it was planned from.
 */
export function scripts(changes: Change[]): string[] {
  return changes.map((c) => {
    const a = c.action;
    if (a.kind === 'script') return a.script;
    if (a.kind === 'write') return `WRITE ${a.path}`;
    if (a.kind === 'confirmed') return `CONFIRMED ${a.apply}`;
    const before = lines(a.base ?? '');
    const after = lines(a.edit(a.base ?? ''));
    return [
      `EDIT ${a.path}`,
      ...before.filter((l) => !after.includes(l)).map((l) => `-${l}`),
      ...after.filter((l) => !before.includes(l)).map((l) => `+${l}`),
    ].join(' ');
  });
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** Test overrides: a property may be given as undefined to leave it out. */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

export function textFile(content: string, extra: Overrides<FileState> = {}): FileState {
  return {
    type: 'file',
    mode: '0644',
    uid: '0',
    gid: '0',
    owner: 'root',
    group: 'wheel',
    size: content.length,
    sha256: '0'.repeat(64),
    content,
    ...extra,
  } as FileState;
}

export const ABSENT: FileState = { type: 'absent' };
