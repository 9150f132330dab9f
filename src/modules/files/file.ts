/**
 * file: a regular file with content (inline, from a local file, or from a local LiquidJS
 * template), a directory, a symlink, or nothing; with mode, owner and group. Files are
 * compared by sha256 on the host, so an unchanged file is never sent, and written through
 * the transport's atomic write (temp file + rename), so the host never sees half a file.
 *
 * `content` and `template` are strings (written in a playbook or rendered: small by nature).
 * A `src` file is prepared as a LocalFile, its size and sha256 computed by streaming it, and
 * is streamed to the host: the controller never holds it (small text files excepted, see
 * local-source.ts).
 */
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { sha256Hex } from '../../util/digest.js';
import type { FileState } from '../../facts/file-state.js';
import { localContent, readLocalSource } from '../kit/local-source.js';
import { fileStateQuery } from '../kit/file-facts.js';
import { confinement, fileTouches, hostPath, jailPathGuard, jailRootQuery, resource } from '../kit/target.js';
import { contentDiff, removalDiff } from '../kit/file-diff.js';
import { absolutePath, accountName } from '../kit/names.js';
import { defineModule, type Change, type DiffEntry, type LocalFile, type StepContext } from '../kit/contract.js';

const octalMode = z.string().regex(/^[0-7]{3,4}$/, "must be an octal mode in quotes, e.g. '0644'");

export const fileArgs = z.strictObject({
  path: absolutePath.describe('absolute path (inside the jail with `jail:`)'),
  state: z.enum(['file', 'directory', 'link', 'absent']).default('file')
    .describe('`file` with `content`, `src` or `template`; `directory`; `link` (with `target`); `absent` (`recursive` for a directory)'),
  content: z.string().optional().describe('the content, inline: text held in memory, small by nature'),
  src: z.string().optional()
    .describe('a local file whose content to copy (relative to the playbook). Any size and content (binary too): hashed by streaming it (once per run, whatever the number of hosts), compared with the host\'s sha256 without being read, and streamed to the host from disk, never held in memory (up to 16 KiB of UTF-8 text it is read, and travels in the batch script like `content`)'),
  template: z.string().optional().describe('a local LiquidJS template rendered with the host\'s variables (relative to the playbook): text held in memory'),
  target: z.string().min(1).refine((t) => !/[\x00-\x1f\x7f]/.test(t), 'no control characters (newline, tab, NUL ...)').optional().describe('what a symlink points to (state: link)'),
  mode: z.union([octalMode, z.number()]).optional()
    .refine((m) => typeof m === 'string', "write the mode in quotes, e.g. '0644' (YAML reads 0644 as a decimal number)")
    .describe("octal, quoted: `'0644'`"),
  owner: accountName.optional().describe('a user name or uid'),
  group: accountName.optional().describe('a group name or gid'),
  recursive: z.boolean().default(false).describe('state absent: remove a directory with its contents'),
  validate: z.string().includes('%s', { message: 'the command needs %s where the new file goes, e.g. "pfctl -nf %s"' }).optional()
    .describe('a command that checks the new content before it replaces the file (%s: the new file, on the host, e.g. `pfctl -nf %s`); failing keeps the old file'),
}).superRefine((a, ctx) => {
  const sources = (['content', 'src', 'template'] as const).filter((k) => a[k] !== undefined);
  if (sources.length > 1) ctx.addIssue({ code: 'custom', message: `give one of content, src, template (not ${sources.join(' and ')})`, path: [sources[1] as string] });
  if (sources.length > 0 && a.state !== 'file') ctx.addIssue({ code: 'custom', message: `${sources[0]} needs state: file`, path: [sources[0] as string] });
  if (a.state === 'link' && a.target === undefined) ctx.addIssue({ code: 'custom', message: 'state link needs a target', path: ['target'] });
  if (a.state !== 'link' && a.target !== undefined) ctx.addIssue({ code: 'custom', message: 'target is for state: link', path: ['target'] });
});

/** After prepare(), `content` is the content from any source: a text, or a local file by reference. */
export type FileArgs = Omit<z.output<typeof fileArgs>, 'content'> & { content?: string | LocalFile; mode?: string };

interface FileFacts {
  state: FileState;
  root?: string;
}

export const file = defineModule<FileArgs, FileFacts>({
  name: 'file',
  summary: 'a file (content, mode, owner), a directory, a symlink, or an absent path',
  docs: { does: 'Atomic writes; compared by sha256.' },
  args: fileArgs as unknown as z.ZodType<FileArgs>,
  jailAware: true,
  describe: (a) => `file ${a.path}`,
  prepare: (a, local) => (a.src !== undefined ? { ...a, content: localContent(local, a.src), src: undefined } : readLocalSource(a, local, 'content')),
  facts(a, ctx) {
    const state = fileStateQuery(ctx.target, a.path, { content: ctx.diff && a.state === 'file' });
    return ctx.target.kind === 'jail' ? { state, root: jailRootQuery(ctx.target.name) } : { state };
  },
  plan(a, facts, ctx) {
    const on = facts.state;
    switch (a.state) {
      case 'absent':
        return planAbsent(a, on, ctx, facts.root);
      case 'directory':
        return planDirectory(a, on, ctx, facts.root);
      case 'link':
        return planLink(a, on, ctx, facts.root);
      case 'file':
        return planFile(a, on, ctx, facts.root);
    }
  },
});


function planFile(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  if (on.type !== 'file' && on.type !== 'absent') {
    throw new Error(`${a.path} is a ${on.type}; remove it first (state: absent) to put a file there`);
  }
  const path = hostPath(ctx.target, root, a.path);
  const touches = fileTouches(ctx.target, a.path);
  if (on.type === 'absent' || (a.content !== undefined && sha256Of(a.content) !== on.sha256)) {
    const content = a.content ?? '';
    const diff = contentDiff(ctx, a.path, on, content);
    // The atomic write sets mode and owner too; a new file's are part of creating it.
    const attrs = on.type === 'absent' ? [] : attributeDiffs(a.path, attributeChangesOf(a, on));
    return [{
      summary: `${on.type === 'absent' ? 'create' : 'update'} ${a.path} (${sizeOf(content)})`,
      action: {
        kind: 'write', path, content,
        ...(a.mode ? { mode: a.mode } : {}), ...(a.owner ? { owner: a.owner } : {}), ...(a.group ? { group: a.group } : {}),
        ...(a.validate ? { validate: a.validate } : {}), ...confinement(ctx.target, root),
      },
      touches,
      diff: [...diff, ...attrs],
    }];
  }
  return attributeChange(a, on, path, touches, false, jailPathGuard(ctx.target, root, a.path));
}

function sha256Of(content: string | LocalFile): string {
  return typeof content === 'string' ? sha256Hex(content) : content.sha256;
}

/** "12 lines" for a text, "8388608 bytes" for a local file (never read to count its lines). */
function sizeOf(content: string | LocalFile): string {
  if (typeof content !== 'string') return `${content.size} bytes`;
  const lines = content.split('\n').length - (content.endsWith('\n') || content === '' ? 1 : 0);
  return `${lines} line${lines === 1 ? '' : 's'}`;
}

function planDirectory(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  const path = hostPath(ctx.target, root, a.path);
  const touches = fileTouches(ctx.target, a.path);
  if (on.type === 'absent') {
    const script = [jailPathGuard(ctx.target, root, a.path), sh`mkdir -p -- ${path}`, ...attributeCommands(attributeChangesOf(a, undefined), path, false)].filter(Boolean).join('\n');
    return [{ summary: `create directory ${a.path}`, action: { kind: 'script', script }, touches, diff: [{ type: 'value', name: a.path, before: null, after: 'directory' }] }];
  }
  if (on.type !== 'directory') throw new Error(`${a.path} is a ${on.type}, not a directory`);
  return attributeChange(a, on, path, touches, false, jailPathGuard(ctx.target, root, a.path));
}

function planLink(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  const path = hostPath(ctx.target, root, a.path);
  const touches = fileTouches(ctx.target, a.path);
  const target = a.target as string;
  if (on.type === 'directory' || on.type === 'other') throw new Error(`${a.path} is a ${on.type}; remove it first to put a symlink there`);
  // A symlink gets no mode of its own here (only owner and group, with chown -h).
  const { mode: _mode, ...linkArgs } = a;
  // The link itself is replaced (ln -h, chown -h), never followed: only the directories above it are checked.
  const guard = jailPathGuard(ctx.target, root, a.path, false);
  if (on.type === 'link' && on.linkTarget === target) return attributeChange(linkArgs, on, path, touches, true, guard);
  // -h: replace a symlink to a directory instead of creating the link inside that directory.
  const script = [guard, sh`ln -sfh -- ${target} ${path}`, ...attributeCommands(attributeChangesOf(linkArgs, undefined), path, true)].filter(Boolean).join('\n');
  return [{
    summary: `link ${a.path} -> ${target}`,
    action: { kind: 'script', script },
    touches,
    diff: [{ type: 'value', name: `${a.path} -> `, before: on.type === 'link' ? (on.linkTarget ?? null) : on.type === 'absent' ? null : on.type, after: target }],
  }];
}

function planAbsent(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  if (on.type === 'absent') return [];
  const path = hostPath(ctx.target, root, a.path);
  // rm -f removes a link itself; the directories above it must not be links.
  let script = jailPathGuard(ctx.target, root, a.path, on.type !== 'link');
  if (on.type === 'directory') {
    script += a.recursive ? sh`rm -rf -- ${path}` : sh`rmdir -- ${path}`;
  } else {
    script += sh`rm -f -- ${path}`;
  }
  const diff: DiffEntry[] = removalDiff(ctx, a.path, on);
  // A removed directory takes the facts of everything below it along.
  const touches = [...fileTouches(ctx.target, a.path), resource(ctx.target, 'file', `${a.path}/*`)];
  return [{ summary: `remove ${a.path}`, action: { kind: 'script', script }, touches, diff }];
}

interface AttributeChange {
  attr: 'mode' | 'owner' | 'group';
  before: string | null;
  after: string;
}

/** Mode, owner and group that differ from what is asked (owner and group match by name or by number). */
function attributeChangesOf(a: FileArgs, on: FileState | undefined): AttributeChange[] {
  const out: AttributeChange[] = [];
  const mode = a.mode?.padStart(4, '0');
  if (mode !== undefined && on?.mode !== mode) out.push({ attr: 'mode', before: on?.mode ?? null, after: mode });
  if (a.owner !== undefined && a.owner !== on?.owner && a.owner !== on?.uid) out.push({ attr: 'owner', before: on?.owner ?? null, after: a.owner });
  if (a.group !== undefined && a.group !== on?.group && a.group !== on?.gid) out.push({ attr: 'group', before: on?.group ?? null, after: a.group });
  return out;
}

function attributeCommands(changes: AttributeChange[], path: string, link: boolean): string[] {
  const get = (attr: AttributeChange['attr']) => changes.find((c) => c.attr === attr)?.after;
  const [mode, owner, group] = [get('mode'), get('owner'), get('group')];
  const cmds = mode !== undefined ? [sh`chmod -- ${mode} ${path}`] : [];
  if (owner !== undefined || group !== undefined) {
    const spec = `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`;
    cmds.push(link ? sh`chown -h -- ${spec} ${path}` : sh`chown -- ${spec} ${path}`);
  }
  return cmds;
}

function attributeDiffs(path: string, changes: AttributeChange[]): DiffEntry[] {
  return changes.map((c) => ({ type: 'value', name: `${path} ${c.attr}`, before: c.before, after: c.after }));
}

/** A change that only fixes attributes of what is already there. */
function attributeChange(a: FileArgs, on: FileState, path: string, touches: string[], link: boolean, guard: string): Change[] {
  const changes = attributeChangesOf(a, on);
  if (changes.length === 0) return [];
  return [{
    summary: `${a.path}: ${changes.map((c) => `${c.attr} ${c.before} -> ${c.after}`).join(', ')}`,
    action: { kind: 'script', script: [guard, ...attributeCommands(changes, path, link)].filter(Boolean).join('\n') },
    touches,
    diff: attributeDiffs(a.path, changes),
  }];
}
