/**
 * line: one line present in (or absent from) a text file, optionally the line that matches
 * a regular expression (JavaScript syntax, applied here on the controller). The file is
 * read in the facts round trip, edited locally, and written back atomically with its mode
 * and owner kept, only if nobody changed it in between.
 */
import { z } from 'zod';
import { aFileType, type FileState } from '../../facts/file-state.js';
import { fileStateQuery, textContent } from '../kit/file-facts.js';
import { confinement, fileTouches, hostPath, jailRootQuery } from '../kit/target.js';
import { fileDiff } from '../kit/file-diff.js';
import { absolutePath } from '../kit/names.js';
import { defineModule, type Change } from '../kit/contract.js';

const regexSource = z
  .string()
  .min(1)
  .refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression (JavaScript syntax)');

export const lineArgs = z
  .strictObject({
    path: absolutePath.describe('the file (inside the jail with `jail:`)'),
    line: z
      .string()
      .refine((l) => !l.includes('\n') && !l.includes('\0'), 'one line, without a newline or NUL')
      .optional()
      .describe(
        'the line: present replaces the last line matching `regexp`, else goes after `insert_after` / before `insert_before` / at the end; absent removes it (or every line matching `regexp`)',
      ),
    regexp: regexSource
      .optional()
      .describe('the line to replace (the last line matching this) or remove (every line matching it): a JavaScript regular expression'),
    state: z.enum(['present', 'absent']).default('present').describe('`absent` removes the line, found by `regexp` or `line`'),
    insert_after: regexSource.optional().describe('a new line goes after the last line matching this (default: at the end)'),
    insert_before: regexSource.optional().describe('a new line goes before the first line matching this'),
    create: z.boolean().default(false).describe('create the file when it does not exist'),
  })
  .superRefine((a, ctx) => {
    if (a.state === 'present' && a.line === undefined)
      ctx.addIssue({ code: 'custom', message: 'state present needs a line', path: ['line'] });
    if (a.state === 'absent' && a.line === undefined && a.regexp === undefined)
      ctx.addIssue({ code: 'custom', message: 'state absent needs a line or a regexp', path: ['line'] });
    if (a.insert_after !== undefined && a.insert_before !== undefined)
      ctx.addIssue({ code: 'custom', message: 'give insert_after or insert_before, not both', path: ['insert_before'] });
  });

export type LineArgs = z.output<typeof lineArgs>;

interface LineFacts {
  file: FileState;
  root?: string;
}

export const line = defineModule<LineArgs, LineFacts>({
  name: 'line',
  summary: 'a line present or absent in a text file',
  docs: { does: 'Atomic.' },
  args: lineArgs,
  jailAware: true,
  describe: (a) => `line ${a.path}`,
  facts(a, ctx) {
    const file = fileStateQuery(ctx.target, a.path, { content: true, metadata: false });
    return ctx.target.kind === 'jail' ? { file, root: jailRootQuery(ctx.target.name) } : { file };
  },
  plan(a, facts, ctx) {
    const on = facts.file;
    if (on.type === 'absent') {
      if (a.state === 'absent') return [];
      if (!a.create) throw new Error(`${a.path} does not exist (set create: true to create it)`);
    } else if (on.type !== 'file') {
      throw new Error(`${a.path} is ${aFileType(on.type)}, not a file`);
    }
    const before = on.type === 'absent' ? '' : textContent(on, a.path);
    const after = editLines(before, a);
    if (after === before && on.type !== 'absent') return [];
    const change: Change = {
      summary: a.state === 'present' ? `${a.path}: line ${JSON.stringify(a.line)} present` : `${a.path}: line removed`,
      action: {
        kind: 'edit',
        path: hostPath(ctx.target, facts.root, a.path),
        base: on.type === 'absent' ? null : before,
        edit: (text) => editLines(text, a),
        ...confinement(ctx.target, facts.root),
      },
      touches: fileTouches(ctx.target, a.path),
      diff: fileDiff(ctx, a.path, before, after),
    };
    return [change];
  },
});

/** The file's text after the edit; the same text when nothing needs to change. */
export function editLines(text: string, a: LineArgs): string {
  const endsWithNewline = text === '' || text.endsWith('\n');
  const lines = text === '' ? [] : (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  const matches = (l: string) => (a.regexp !== undefined ? new RegExp(a.regexp).test(l) : l === a.line);
  let out: string[];
  if (a.state === 'absent') {
    out = lines.filter((l) => !matches(l));
  } else {
    out = present(lines, a.line as string, a);
  }
  if (out.length === lines.length && out.every((l, i) => l === lines[i])) return text;
  return out.length === 0 ? '' : out.join('\n') + '\n';
}

function present(lines: string[], wanted: string, a: LineArgs): string[] {
  if (a.regexp !== undefined) {
    const re = new RegExp(a.regexp);
    const at = lastIndex(lines, (l) => re.test(l));
    if (at >= 0) return lines.map((l, i) => (i === at ? wanted : l));
  }
  if (lines.includes(wanted)) return lines;
  if (a.insert_before !== undefined) {
    const re = new RegExp(a.insert_before);
    const at = lines.findIndex((l) => re.test(l));
    if (at >= 0) return [...lines.slice(0, at), wanted, ...lines.slice(at)];
  }
  if (a.insert_after !== undefined) {
    const re = new RegExp(a.insert_after);
    const at = lastIndex(lines, (l) => re.test(l));
    if (at >= 0) return [...lines.slice(0, at + 1), wanted, ...lines.slice(at + 1)];
  }
  return [...lines, wanted];
}

function lastIndex(items: string[], pred: (s: string) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i] as string)) return i;
  return -1;
}
