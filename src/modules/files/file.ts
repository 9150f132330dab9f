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
import { posix } from 'node:path';
import { sh } from '../../shell/quote.js';
import { enterJailDir, enterJailDirCreating } from '../../shell/confine.js';
import { sha256Hex } from '../../util/digest.js';
import { aFileType, type FileState } from '../../facts/file-state.js';
import { localContent, readLocalSource } from '../kit/local-source.js';
import { fileStateQuery } from '../kit/file-facts.js';
import { confinement, fileTouches, hostPath, jailPathGuard, jailRootQuery } from '../kit/target.js';
import { res, type Resource } from '../../facts/resources.js';
import { contentDiff, removalDiff } from '../kit/file-diff.js';
import { absolutePath, accountName } from '../kit/names.js';
import { isNumericId, jailIdsQuery, type JailIds } from '../kit/jail-accounts.js';
import { defineModule, type Change, type DiffEntry, type LocalFile, type StepContext, type Target } from '../kit/contract.js';

const octalMode = z.string().regex(/^[0-7]{3,4}$/, "must be an octal mode in quotes, e.g. '0644'");

export const fileArgs = z
  .strictObject({
    path: absolutePath.describe('absolute path (inside the jail with `jail:`)'),
    state: z
      .enum(['file', 'directory', 'link', 'absent'])
      .default('file')
      .describe('`file` with `content`, `src` or `template`; `directory`; `link` (with `target`); `absent` (`recursive` for a directory)'),
    content: z.string().optional().describe('the content, inline: text held in memory, small by nature'),
    src: z
      .string()
      .optional()
      .describe(
        "a local file whose content to copy (relative to the playbook). Any size and content (binary too): hashed by streaming it (once per run, whatever the number of hosts), compared with the host's sha256 without being read, and streamed to the host from disk, never held in memory (up to 16 KiB of UTF-8 text it is read, and travels in the batch script like `content`)",
      ),
    template: z
      .string()
      .optional()
      .describe("a local LiquidJS template rendered with the host's variables (relative to the playbook): text held in memory"),
    target: z
      .string()
      .min(1)
      .refine((t) => !/[\x00-\x1f\x7f]/.test(t), 'no control characters (newline, tab, NUL ...)')
      .optional()
      .describe('what a symlink points to (state: link)'),
    mode: z
      .union([octalMode, z.number()])
      .optional()
      .refine((m) => typeof m === 'string', "write the mode in quotes, e.g. '0644' (YAML reads 0644 as a decimal number)")
      .describe("octal, quoted: `'0644'`"),
    owner: accountName.optional().describe("a user name or uid (in a jail: a name in the jail's own /etc/passwd)"),
    group: accountName.optional().describe("a group name or gid (in a jail: in the jail's own /etc/group)"),
    recursive: z.boolean().default(false).describe('state absent: remove a directory with its contents'),
    validate: z
      .string()
      .includes('%s', { message: 'the command needs %s where the new file goes, e.g. "pfctl -nf %s"' })
      .optional()
      .describe(
        'a command that checks the new content before it replaces the file (%s: the new file, on the host, e.g. `pfctl -nf %s`); failing keeps the old file',
      ),
  })
  .superRefine((a, ctx) => {
    const sources = (['content', 'src', 'template'] as const).filter((k) => a[k] !== undefined);
    if (sources.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `give one of content, src, template (not ${sources.join(' and ')})`,
        path: [sources[1] as string],
      });
    if (sources.length > 0 && a.state !== 'file')
      ctx.addIssue({ code: 'custom', message: `${sources[0]} needs state: file`, path: [sources[0] as string] });
    if (a.state === 'link' && a.target === undefined)
      ctx.addIssue({ code: 'custom', message: 'state link needs a target', path: ['target'] });
    if (a.state !== 'link' && a.target !== undefined)
      ctx.addIssue({ code: 'custom', message: 'target is for state: link', path: ['target'] });
  });

/** After prepare(), `content` is the content from any source: a text, or a local file by reference. */
export type FileArgs = Omit<z.output<typeof fileArgs>, 'content'> & { content?: string | LocalFile; mode?: string };

interface FileFacts {
  state: FileState;
  root?: string;
  /** In a jail: the jail's ids of owner and group names. */
  ids?: JailIds;
}

export const file = defineModule<FileArgs, FileFacts>({
  name: 'file',
  summary: 'a file (content, mode, owner), a directory, a symlink, or an absent path',
  docs: { does: 'Atomic writes; compared by sha256.' },
  args: fileArgs as unknown as z.ZodType<FileArgs>,
  jailAware: true,
  describe: (a) => `file ${a.path}`,
  prepare: (a, local) =>
    a.src !== undefined ? { ...a, content: localContent(local, a.src), src: undefined } : readLocalSource(a, local, 'content'),
  facts(a, ctx) {
    const state = fileStateQuery(ctx.target, a.path, { content: ctx.diff && a.state === 'file' });
    if (ctx.target.kind !== 'jail') return { state };
    const names = [a.owner, a.group].some((id) => id !== undefined && !isNumericId(id));
    return { state, root: jailRootQuery(ctx.target.name), ...(names ? { ids: jailIdsQuery(ctx.target, a.owner, a.group) } : {}) };
  },
  plan(args, facts, ctx) {
    const jail = ctx.target.kind === 'jail';
    // A jail file's owner is a number: the host's names for it are the host's users.
    const on = jail ? byNumber(facts.state) : facts.state;
    const a = ctx.target.kind === 'jail' ? withJailIds(args, facts.ids, ctx.target.name) : args;
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

/**
 * In a jail, owner and group as the jail's numeric ids: the host chowns by number and
 * compares with the file's numbers (its names on the host are the host's users).
 */
function withJailIds(a: FileArgs, ids: JailIds | undefined, jail: string): FileArgs {
  const id = (given: string | undefined, found: string | undefined, what: string) => {
    if (given === undefined || isNumericId(given)) return given;
    if (found === undefined) throw new Error(`${what} ${given}: not looked up in jail ${jail}`);
    return found;
  };
  const owner = id(a.owner, ids?.uid, 'user');
  const group = id(a.group, ids?.gid, 'group');
  return { ...a, ...(owner !== undefined ? { owner } : {}), ...(group !== undefined ? { group } : {}) };
}

function planFile(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  if (on.type !== 'file' && on.type !== 'absent') {
    throw new Error(`${a.path} is ${aFileType(on.type)}; remove it first (state: absent) to put a file there`);
  }
  const path = hostPath(ctx.target, root, a.path);
  const touches = fileTouches(ctx.target, a.path);
  if (on.type === 'absent' || (a.content !== undefined && sha256Of(a.content) !== on.sha256)) {
    const content = a.content ?? '';
    const diff = contentDiff(ctx, a.path, on, content);
    // The atomic write sets mode and owner too; a new file's are part of creating it.
    const attrs = on.type === 'absent' ? [] : attributeDiffs(a.path, attributeChangesOf(a, on));
    return [
      {
        summary: `${on.type === 'absent' ? 'create' : 'update'} ${a.path} (${sizeOf(content)})`,
        action: {
          kind: 'write',
          path,
          content,
          ...(a.mode ? { mode: a.mode } : {}),
          ...(a.owner ? { owner: a.owner } : {}),
          ...(a.group ? { group: a.group } : {}),
          ...(a.validate ? { validate: a.validate } : {}),
          ...confinement(ctx.target, root),
        },
        touches,
        diff: [...diff, ...attrs],
      },
    ];
  }
  return attributeChange(a, on, at(ctx.target, root, a.path, true), touches, false);
}

/**
 * Where a change script acts on PATH: on the host, its full path; in a jail, a subshell that
 * enters PATH's directory (checked for links, then entered with `cd -P` and checked to be
 * inside the jail's root, see confine.ts) and names it relatively, so a directory the jail
 * swaps for a symlink meanwhile cannot turn the change onto the host's files. `last`: a link
 * at PATH itself is refused too (else the change acts on the link).
 */
interface Place {
  /** PATH as the commands name it. */
  name: string;
  /** Commands wrapped where they run; `noFollow`: chmod/chown take -h (the jail can swap even PATH itself). */
  wrap(commands: string[]): string;
  noFollow: boolean;
}

function at(t: Target, root: string | undefined, inside: string, last: boolean): Place {
  const full = hostPath(t, root, inside);
  if (t.kind === 'host' || !root) return { name: full, wrap: (c) => c.join('\n'), noFollow: false };
  const enter = jailPathGuard(t, root, inside, last) + enterJailDir(root, posix.dirname(full));
  return { name: `./${posix.basename(full)}`, wrap: (c) => `(\n${enter}${c.join('\n')}\n)`, noFollow: true };
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
  const hostPathOf = hostPath(ctx.target, root, a.path);
  const touches = fileTouches(ctx.target, a.path);
  if (on.type === 'absent') {
    const attrs = (name: string, noFollow: boolean) => attributeCommands(attributeChangesOf(a, undefined), name, false, noFollow);
    // In a jail, created one directory at a time, each entered and checked (see at()).
    const script =
      ctx.target.kind === 'jail' && root
        ? `(\n${jailPathGuard(ctx.target, root, a.path)}${enterJailDirCreating(root, posix.dirname(a.path))}${[sh`mkdir -- ${`./${posix.basename(a.path)}`}`, ...attrs(`./${posix.basename(a.path)}`, true)].join('\n')}\n)`
        : [sh`mkdir -p -- ${hostPathOf}`, ...attrs(hostPathOf, false)].join('\n');
    return [
      {
        summary: `create directory ${a.path}`,
        action: { kind: 'script', script },
        touches,
        diff: [{ type: 'value', name: a.path, before: null, after: 'directory' }],
      },
    ];
  }
  if (on.type !== 'directory') throw new Error(`${a.path} is ${aFileType(on.type)}, not a directory`);
  return attributeChange(a, on, at(ctx.target, root, a.path, true), touches, false);
}

function planLink(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  const touches = fileTouches(ctx.target, a.path);
  const target = a.target as string;
  if (on.type === 'directory' || on.type === 'other')
    throw new Error(`${a.path} is ${aFileType(on.type)}; remove it first to put a symlink there`);
  // A symlink gets no mode of its own here (only owner and group, with chown -h).
  const { mode: _mode, ...linkArgs } = a;
  // The link itself is replaced (ln -h, chown -h), never followed: only the directories above it are checked.
  const place = at(ctx.target, root, a.path, false);
  if (on.type === 'link' && on.linkTarget === target) return attributeChange(linkArgs, on, place, touches, true);
  // -h: replace a symlink to a directory instead of creating the link inside that directory.
  const script = place.wrap([
    sh`ln -sfh -- ${target} ${place.name}`,
    ...attributeCommands(attributeChangesOf(linkArgs, undefined), place.name, true),
  ]);
  return [
    {
      summary: `link ${a.path} -> ${target}`,
      action: { kind: 'script', script },
      touches,
      diff: [
        {
          type: 'value',
          name: `${a.path} -> `,
          before: on.type === 'link' ? (on.linkTarget ?? null) : on.type === 'absent' ? null : on.type,
          after: target,
        },
      ],
    },
  ];
}

function planAbsent(a: FileArgs, on: FileState, ctx: StepContext, root?: string): Change[] {
  if (on.type === 'absent') return [];
  // rm -f removes a link itself (rm -r never follows one); the directories above it must not be links.
  const place = at(ctx.target, root, a.path, on.type !== 'link');
  const script = place.wrap([
    on.type !== 'directory' ? sh`rm -f -- ${place.name}` : a.recursive ? sh`rm -rf -- ${place.name}` : sh`rmdir -- ${place.name}`,
  ]);
  const diff: DiffEntry[] = removalDiff(ctx, a.path, on);
  // A removed directory takes the facts of everything below it along.
  const touches = [...fileTouches(ctx.target, a.path), res.filesStartingWith(ctx.target, `${a.path}/`)];
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
  if (a.owner !== undefined && a.owner !== on?.owner && a.owner !== on?.uid)
    out.push({ attr: 'owner', before: on?.owner ?? null, after: a.owner });
  if (a.group !== undefined && a.group !== on?.group && a.group !== on?.gid)
    out.push({ attr: 'group', before: on?.group ?? null, after: a.group });
  return out;
}

/** LINK: the path is a symlink (its owner is set, never its target's). NOFOLLOW: a link there is never followed. */
function attributeCommands(changes: AttributeChange[], path: string, link: boolean, noFollow = false): string[] {
  const get = (attr: AttributeChange['attr']) => changes.find((c) => c.attr === attr)?.after;
  const [mode, owner, group] = [get('mode'), get('owner'), get('group')];
  const cmds = mode !== undefined ? [noFollow ? sh`chmod -h -- ${mode} ${path}` : sh`chmod -- ${mode} ${path}`] : [];
  if (owner !== undefined || group !== undefined) {
    const spec = `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`;
    cmds.push(link || noFollow ? sh`chown -h -- ${spec} ${path}` : sh`chown -- ${spec} ${path}`);
  }
  return cmds;
}

function attributeDiffs(path: string, changes: AttributeChange[]): DiffEntry[] {
  return changes.map((c) => ({ type: 'value', name: `${path} ${c.attr}`, before: c.before, after: c.after }));
}

/** A change that only fixes attributes of what is already there. */
function attributeChange(a: FileArgs, on: FileState, place: Place, touches: Resource[], link: boolean): Change[] {
  const changes = attributeChangesOf(a, on);
  if (changes.length === 0) return [];
  return [
    {
      summary: `${a.path}: ${changes.map((c) => `${c.attr} ${c.before} -> ${c.after}`).join(', ')}`,
      action: { kind: 'script', script: place.wrap(attributeCommands(changes, place.name, link, place.noFollow)) },
      touches,
      diff: attributeDiffs(a.path, changes),
    },
  ];
}

/** A file's state with its owner and group as numbers (uid, gid). */
function byNumber(state: FileState): FileState {
  const { owner: _owner, group: _group, ...rest } = state;
  return { ...rest, ...(state.uid !== undefined ? { owner: state.uid } : {}), ...(state.gid !== undefined ? { group: state.gid } : {}) };
}
