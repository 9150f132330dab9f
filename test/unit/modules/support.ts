/** Planning a module step from arguments and facts, without a host. */
import type { AnyModule, Change, StepContext, Target } from '../../../src/modules/types.js';
import type { FileState } from '../../../src/facts/file-state.js';

export function ctx(target: Target = { kind: 'host' }, extra: Partial<StepContext> = {}): StepContext {
  return { host: 'h1', target, check: false, diff: false, ...extra };
}

/** Validate ARGS as the loader does, then plan with FACTS. */
export function plan(module: AnyModule, args: unknown, facts: Record<string, unknown>, context: StepContext = ctx()): Change[] {
  return module.plan(module.args.parse(args), facts, context);
}

export function scripts(changes: Change[]): string[] {
  return changes.map((c) => (c.action.kind === 'script' ? c.action.script : `WRITE ${c.action.path}`));
}

export function textFile(content: string, extra: Partial<FileState> = {}): FileState {
  return { type: 'file', mode: '0644', uid: '0', gid: '0', owner: 'root', group: 'wheel', size: content.length, sha256: '0'.repeat(64), content, ...extra };
}

export const ABSENT: FileState = { type: 'absent' };
