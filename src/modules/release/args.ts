/**
 * The release module's arguments (README reference):
 *
 *   release:
 *     version: 14.2-RELEASE          # required: the release (X.Y-RELEASE, -RCn, -BETAn, -ALPHAn)
 *     path: /usr/jails/templates/14.2-RELEASE   # required: the template's root directory
 *     dataset: zroot/jails/templates/14.2-RELEASE  # optional: a ZFS file system for it, created with
 *                                    #   `zfs create -p -o mountpoint=PATH` when absent; without it a plain
 *                                    #   directory (UFS hosts)
 *     mirror: https://download.freebsd.org/releases   # the releases directory: sets are fetched from
 *                                    #   MIRROR/MACHINE/ARCH/VERSION/ (e.g. .../amd64/amd64/14.2-RELEASE/base.txz),
 *                                    #   as bsdinstall and bastille lay it out; http, https or file URLs
 *     arch: amd64                    # MACHINE_ARCH: amd64, aarch64 (or arm64), i386, armv7, powerpc64,
 *                                    #   powerpc64le, riscv64
 *     sets: [base]                   # distribution sets, e.g. [base, lib32]; base is always extracted
 *     update: true                   # bring it to the latest patch level with freebsd-update -b PATH
 *     snapshot: patch                # only with dataset: `base` (one DATASET@base, taken once the template is
 *                                    #   first complete) or `patch` (DATASET@pN for every patch level it reaches)
 *     workdir: /var/db/freebsd-update/fleetjail/NAME   # freebsd-update's -d for this template (default: a
 *                                    #   directory per template path, on the host, outside the template)
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** MACHINE_ARCH → MACHINE: the release directory is MIRROR/MACHINE/MACHINE_ARCH/VERSION. */
const MACHINES: Record<string, string> = {
  amd64: 'amd64',
  aarch64: 'arm64',
  i386: 'i386',
  armv7: 'arm',
  powerpc64: 'powerpc',
  powerpc64le: 'powerpc',
  riscv64: 'riscv',
};

const absolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, 'must be an absolute path')
  .transform((p) => p.replace(/\/+$/, '').replace(/\/{2,}/g, '/'))
  .refine((p) => p !== '', 'must not be /: a template needs a directory of its own')
  .refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'must not contain . or .. components')
  .refine((p) => !/\s/.test(p), 'must not contain white space (jail.conf and fstab paths cannot)');

const setName = z
  .string()
  .transform((s) => s.replace(/\.txz$/, ''))
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a distribution set such as base, lib32, kernel or src'));

export const releaseArgs = z
  .strictObject({
    version: z
      .string()
      .regex(
        /^\d+\.\d+-(RELEASE|RC\d+|BETA\d+|ALPHA\d+)$/,
        'a FreeBSD release such as 14.2-RELEASE (without -pN: the patch level comes from freebsd-update)',
      )
      .describe('the release, e.g. 14.2-RELEASE'),
    path: absolutePath.describe("the template's root directory"),
    dataset: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.:-]*(\/[A-Za-z0-9_.:-]+)+$/,
        'a ZFS file system below a pool, e.g. zroot/jails/templates/14.2-RELEASE (no @snapshot)',
      )
      .optional()
      .describe('a ZFS dataset for the template, created with mountpoint=PATH when absent; omit on UFS'),
    mirror: z
      .string()
      .regex(/^(https?|file):\/\/\S+$/, 'an http, https or file URL')
      .default('https://download.freebsd.org/releases')
      .transform((u) => u.replace(/\/+$/, ''))
      .describe('URL of the releases directory (MIRROR/MACHINE/ARCH/VERSION/base.txz)'),
    arch: z
      .enum(['amd64', 'aarch64', 'arm64', 'i386', 'armv7', 'powerpc64', 'powerpc64le', 'riscv64'])
      .default('amd64')
      .transform((a) => (a === 'arm64' ? 'aarch64' : a))
      .describe('MACHINE_ARCH of the release'),
    sets: z
      .array(setName)
      .min(1)
      .default(['base'])
      .transform((s) => [...new Set(['base', ...s])])
      .describe('distribution sets to extract (base is always one of them), e.g. [base, lib32]'),
    update: z
      .boolean()
      .default(true)
      .describe(
        'bring the template to the latest patch level: `freebsd-update -b PATH --currently-running VERSION fetch install`; `false` skips it, and the fetch that looks for a new patch',
      ),
    snapshot: z
      .enum(['base', 'patch'])
      .optional()
      .describe('with dataset: `base`, one `@base` snapshot, or `patch`, one per patch level (`@p3`, `@p4`...)'),
    workdir: absolutePath.optional().describe("freebsd-update's working directory for this template (-d)"),
    update_check_every: z
      .string()
      .regex(/^[1-9][0-9]*[mhd]$/, 'a duration such as 30m, 6h or 1d')
      .optional()
      .transform((d) =>
        d === undefined ? undefined : Number(d.slice(0, -1)) * ({ m: 1, h: 60, d: 1440 } as const)[d.slice(-1) as 'm' | 'h' | 'd'],
      )
      .describe(
        'ask the update server at most this often (`30m`, `6h`, `1d`); runs in between reuse the last answer (kept per patch level in the work directory). Default: every run',
      ),
  })
  .superRefine((a, ctx) => {
    if (a.update_check_every !== undefined && !a.update)
      ctx.addIssue({ code: 'custom', message: 'update_check_every is for update: true', path: ['update_check_every'] });
    if (a.snapshot !== undefined && a.dataset === undefined) {
      ctx.addIssue({ code: 'custom', message: 'snapshot needs a dataset (a plain directory cannot be snapshotted)', path: ['snapshot'] });
    }
  });

export type ReleaseArgs = z.output<typeof releaseArgs>;

/** The directory holding the release's sets and MANIFEST. */
export function releaseUrl(a: Pick<ReleaseArgs, 'mirror' | 'arch' | 'version'>): string {
  return `${a.mirror}/${MACHINES[a.arch] ?? a.arch}/${a.arch}/${a.version}`;
}

export const setFile = (set: string) => `${set}.txz`;

/**
 * freebsd-update's working directory for the template: on the host, outside the template, so
 * that the fetch that asks for new patches changes nothing in it (nor in its snapshots), and
 * one per template, so that templates of several releases do not share (and keep
 * re-fetching) one metadata tag, and their freebsd-update runs do not wait for each other's lock.
 */
export function workdirOf(a: Pick<ReleaseArgs, 'path' | 'workdir'>): string {
  if (a.workdir !== undefined) return a.workdir;
  const name = a.path
    .split('/')
    .filter(Boolean)
    .join('_')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(-60);
  const hash = createHash('sha256').update(a.path).digest('hex').slice(0, 8);
  return `/var/db/freebsd-update/fleetjail/${name}-${hash}`;
}

/** Marker files in the template's root (see release-facts.ts). */
export const markerPaths = (path: string) => ({
  /** One `FILE VERSION SHA256` line per set whose extraction finished. */
  sets: `${path}/.fleetjail-release`,
  /** The set being extracted; left behind by an extraction that did not finish. */
  extracting: `${path}/.fleetjail-extracting`,
});

/** Host files copied into the template (as seed 002 does by hand). */
export const HOST_FILES = ['/etc/resolv.conf', '/etc/localtime'] as const;
