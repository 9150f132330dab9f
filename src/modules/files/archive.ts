/**
 * archive: a directory (a jail's root on UFS, say) packed into a tar file, as `qjail archive`
 * does, and a rotation of such files. The archive is written to a temp file next to `dest` and
 * renamed when tar has finished, so an interrupted run never leaves a file that looks done;
 * `dest` existing means done (name it with a date for nightly runs). It is mode 0600: a jail's
 * files hold its secrets. `keep` removes, in dest's directory, the older files whose names
 * start with `prefix` beyond `count` (newest in name order). The compression follows dest's
 * extension (.txz, .tgz / .tar.gz, .tbz, .tar), as FreeBSD's tar(1) writes them.
 *
 * A running jail's files are archived as they are at that moment; stop the jail first (a jail
 * step with state: stopped) for a consistent copy.
 */
import path from 'node:path';
import { z } from 'zod';
import { sh } from '../../shell/quote.js';
import { HOST, requireSuccess } from '../kit/target.js';
import { factKey, res } from '../../facts/resources.js';
import { absolutePath } from '../kit/names.js';
import { defineModule, type Change, type FactQuery } from '../kit/contract.js';

const COMPRESSION: Array<[RegExp, string]> = [
  [/\.txz$|\.tar\.xz$/, '-J'],
  [/\.tgz$|\.tar\.gz$/, '-z'],
  [/\.tbz2?$|\.tar\.bz2$/, '-j'],
  [/\.tar$/, ''],
];

export const archiveArgs = z
  .strictObject({
    path: absolutePath.describe("the directory to archive (e.g. a jail's root on UFS)"),
    dest: absolutePath
      .refine((d) => COMPRESSION.some(([re]) => re.test(d)), 'must end in .txz, .tar.xz, .tgz, .tar.gz, .tbz, .tbz2, .tar.bz2 or .tar')
      .describe(
        "the archive file (`.txz`, `.tgz`, `.tbz`, `.tar`: tar(1)'s compression by extension); when it exists, the step has nothing to do, so name it with a date",
      ),
    keep: z
      .strictObject({
        prefix: z
          .string()
          .min(1)
          .refine((p) => !p.includes('/') && !/[\x00-\x1f\x7f]/.test(p), 'a file name prefix, without / or control characters')
          .describe("the rotation's files in dest's directory: names starting with this"),
        count: z.coerce.number().int().min(1).describe('how many of them stay (the newest in name order)'),
      })
      .optional()
      .describe("rotate: remove the older files of this prefix in dest's directory beyond count (name order)"),
  })
  .superRefine((a, ctx) => {
    if (a.keep && !path.posix.basename(a.dest).startsWith(a.keep.prefix)) {
      ctx.addIssue({
        code: 'custom',
        message: `dest's name must start with keep.prefix (${a.keep.prefix}): it is part of the rotation`,
        path: ['keep', 'prefix'],
      });
    }
  });

export type ArchiveArgs = z.output<typeof archiveArgs>;

interface ArchiveFacts {
  /** Whether `path` is a directory, whether `dest` exists, and dest's directory's files of the rotation. */
  state: { source: boolean; done: boolean; rotation: string[] };
}

function stateQuery(a: ArchiveArgs): FactQuery<ArchiveFacts['state']> {
  const dir = path.posix.dirname(a.dest);
  // Shell builtins only: no process per host for a converged run.
  const rotation = a.keep ? sh`for fj_f in ${dir}/${a.keep.prefix}*; do [ -f "$fj_f" ] && printf 'file %s\\n' "\${fj_f##*/}"; done` : '';
  return {
    key: factKey(HOST, 'archive', a.path, a.dest, a.keep?.prefix ?? ''),
    script: [sh`[ -d ${a.path} ] && echo source`, sh`[ -e ${a.dest} ] && echo done`, rotation, 'true'].filter(Boolean).join('\n'),
    resources: [res.file(HOST, a.path), res.filesStartingWith(HOST, `${dir}/`)],
    parse(out) {
      requireSuccess(out, `looking at ${a.path} and ${a.dest}`);
      const lines = out.stdout.split('\n');
      return {
        source: lines.includes('source'),
        done: lines.includes('done'),
        rotation: lines.filter((l) => l.startsWith('file ')).map((l) => l.slice(5)),
      };
    },
  };
}

export const archive = defineModule<ArchiveArgs, ArchiveFacts>({
  name: 'archive',
  summary: 'a directory packed into a tar file (written whole or not at all), and a rotation of them',
  docs: {
    does: 'As `qjail archive` does; written to a temp file and renamed when tar has finished (never a half archive that looks done), mode 0600. Stop a jail first for a consistent copy.',
  },
  args: archiveArgs,
  jailAware: false,
  describe: (a) => `archive ${a.dest}`,
  facts: (a) => ({ state: stateQuery(a) }),
  plan(a, { state }) {
    const changes: Change[] = [];
    const dir = path.posix.dirname(a.dest);
    const name = path.posix.basename(a.dest);
    const touches = [res.file(HOST, a.dest), res.filesStartingWith(HOST, `${dir}/`)];
    if (!state.done) {
      if (!state.source) throw new Error(`${a.path} is not a directory`);
      changes.push({
        summary: `archive ${a.path} to ${a.dest}`,
        action: { kind: 'script', script: packScript(a) },
        touches,
        diff: [{ type: 'value', name: a.dest, before: null, after: `archive of ${a.path}` }],
      });
    }
    if (a.keep) {
      const rotation = [...new Set([...state.rotation.filter((f) => f.startsWith(a.keep?.prefix ?? '')), name])].sort();
      const expired = rotation.filter((f) => f !== name).slice(0, Math.max(0, rotation.length - a.keep.count));
      if (expired.length > 0) {
        changes.push({
          summary: `rotate ${a.keep.prefix}*: remove ${expired.join(', ')}`,
          action: { kind: 'script', script: sh`rm -f -- ${expired.map((f) => `${dir}/${f}`)}` },
          touches,
          diff: expired.map((f) => ({ type: 'value', name: `${dir}/${f}`, before: 'archive', after: null })),
        });
      }
    }
    return changes;
  },
});

function packScript(a: ArchiveArgs): string {
  const dir = path.posix.dirname(a.dest);
  const flag = (COMPRESSION.find(([re]) => re.test(a.dest)) as [RegExp, string])[1];
  return [
    'set -e',
    sh`mkdir -p -- ${dir}`,
    sh`fj_tmp=$(mktemp ${`${dir}/.${path.posix.basename(a.dest)}.fleetjail.XXXXXX`})`,
    `trap 'rm -f -- "$fj_tmp"' EXIT HUP INT TERM`,
    `tar -c${flag ? ` ${flag}` : ''} -f "$fj_tmp" ${sh`-C ${a.path}`} .`, // -C takes the path as its own argument; `.` is the only operand
    'chmod 0600 "$fj_tmp"',
    sh`mv -f -- "$fj_tmp" ${a.dest}`,
    'trap - EXIT HUP INT TERM',
  ].join('\n');
}
