import { describe, expect, it } from 'vitest';
import { release } from '../../../src/modules/release/release.js';
import { releaseArgs, releaseUrl, workdirOf } from '../../../src/modules/release/args.js';
import { releaseFactQuery, type TemplateState } from '../../../src/modules/release/facts.js';
import type { ManifestEntry } from '../../../src/facts/release.js';
import { plan, scripts, type Overrides } from './support.js';

const PATH = '/usr/jails/templates/14.2-RELEASE';
const DS = 'zroot/jails/templates/14.2-RELEASE';
const SUM = { 'base.txz': 'b'.repeat(64), 'lib32.txz': 'c'.repeat(64), 'kernel.txz': 'k'.repeat(64) };
const MANIFEST = new Map<string, ManifestEntry>(
  Object.entries(SUM).map(([file, sha256]) => [
    file,
    { file, sha256, entries: 1, set: file.replace('.txz', ''), description: '', default: true },
  ]),
);
const HOST_FILES_SAME = [
  { path: '/etc/resolv.conf', host: '1'.repeat(64), template: '1'.repeat(64) },
  { path: '/etc/localtime', host: '2'.repeat(64), template: '2'.repeat(64) },
];
const ARGS = { version: '14.2-RELEASE', path: PATH, dataset: DS, mirror: 'http://mirror.lab/pub/FreeBSD/releases', snapshot: 'patch' };

function fresh(extra: Overrides<TemplateState> = {}): TemplateState {
  return {
    dir: 'absent',
    userlandText: '',
    userland: null,
    hasMarker: false,
    sets: [],
    extracting: [],
    hostFiles: [
      { path: '/etc/resolv.conf', host: '1'.repeat(64), template: null },
      { path: '/etc/localtime', host: '2'.repeat(64), template: null },
    ],
    dataset: { exists: false },
    snapshots: [],
    manifest: { ok: true, sets: MANIFEST },
    ...extra,
  } as TemplateState;
}

/** A template extracted by this module, at PATCH, with the update server's ANSWER. */
function done(patch: number, answer: TemplateState['update'], extra: Partial<TemplateState> = {}): TemplateState {
  const version = patch > 0 ? `14.2-RELEASE-p${patch}` : '14.2-RELEASE';
  return {
    dir: 'nonempty',
    userlandText: version,
    userland: { version, release: '14.2-RELEASE', patch },
    hasMarker: true,
    sets: [{ file: 'base.txz', version: '14.2-RELEASE', sha256: SUM['base.txz'] }],
    extracting: [],
    hostFiles: HOST_FILES_SAME,
    dataset: { exists: true, mountpoint: PATH, mounted: true },
    snapshots: [`p${patch}`],
    ...(answer ? { update: answer } : {}),
    ...extra,
  };
}

const current = (v: string): TemplateState['update'] => ({ ok: true, answer: { pending: false, version: v } });
const pending = (v: string): TemplateState['update'] => ({
  ok: true,
  answer: { pending: true, version: v, files: ['/bin/freebsd-version'] },
});
const summaries = (args: unknown, f: TemplateState) => plan(release, args, { template: f }).map((c) => c.summary);

describe('release arguments', () => {
  it("defaults: FreeBSD's download site, amd64, base, update on; base always first; arm64 is aarch64; paths normalised", () => {
    const a = releaseArgs.parse({ version: '14.2-RELEASE', path: '/j/t//14.2/', sets: ['lib32.txz', 'base'], arch: 'arm64' });
    expect(a).toMatchObject({
      path: '/j/t/14.2',
      mirror: 'https://download.freebsd.org/releases',
      arch: 'aarch64',
      sets: ['base', 'lib32'],
      update: true,
    });
    expect(releaseUrl(a)).toBe('https://download.freebsd.org/releases/arm64/aarch64/14.2-RELEASE');
    expect(releaseUrl(releaseArgs.parse({ version: '14.2-RELEASE', path: '/t', mirror: 'http://mirror.lab/pub/FreeBSD/releases/' }))).toBe(
      'http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE',
    );
  });

  it('refuses a patch level in version, /, a snapshot without dataset, a dataset that is a pool or a snapshot', () => {
    const issues = (args: unknown) => releaseArgs.safeParse(args).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ version: '14.2-RELEASE-p3', path: '/t' })[0]).toMatch(/^version: .*without -pN/);
    expect(issues({ version: '14.2-RELEASE', path: '/' })).toEqual(['path: must not be /: a template needs a directory of its own']);
    expect(issues({ version: '14.2-RELEASE', path: 'rel/t' })).toEqual(['path: must be an absolute path']);
    expect(issues({ version: '14.2-RELEASE', path: '/t/../x' })[0]).toMatch(/^path: must not contain \. or \.\./);
    expect(issues({ version: '14.2-RELEASE', path: '/t', snapshot: 'base' })).toEqual([
      'snapshot: snapshot needs a dataset (a plain directory cannot be snapshotted)',
    ]);
    expect(issues({ version: '14.2-RELEASE', path: '/t', dataset: 'zroot' })[0]).toMatch(/^dataset: /);
    expect(issues({ version: '14.2-RELEASE', path: '/t', dataset: 'zroot/t@base' })[0]).toMatch(/^dataset: /);
    expect(issues({ version: '14.2-RELEASE', path: '/t', snapshot: 'daily', dataset: 'zroot/t' })[0]).toMatch(/^snapshot: /);
  });

  it('update_check_every: minutes from 30m, 6h, 1d; only with update', () => {
    const minutes = (d: string) => releaseArgs.parse({ version: '14.2-RELEASE', path: '/t', update_check_every: d }).update_check_every;
    expect([minutes('30m'), minutes('6h'), minutes('1d')]).toEqual([30, 360, 1440]);
    expect(releaseArgs.safeParse({ version: '14.2-RELEASE', path: '/t', update_check_every: '6 hours' }).success).toBe(false);
    expect(releaseArgs.safeParse({ version: '14.2-RELEASE', path: '/t', update_check_every: '6h', update: false }).success).toBe(false);
  });

  it('gives each template its own freebsd-update working directory on the host, outside the template', () => {
    const a = workdirOf({ path: PATH });
    const b = workdirOf({ path: '/usr/jails/templates/14.3-RELEASE' });
    expect(a).toMatch(/^\/var\/db\/freebsd-update\/fleetjail\/usr_jails_templates_14\.2-RELEASE-[0-9a-f]{8}$/);
    expect(b).not.toBe(a);
    expect(workdirOf({ path: PATH })).toBe(a);
    expect(a.startsWith(`${PATH}/`)).toBe(false);
    expect(workdirOf({ path: PATH, workdir: '/var/db/fu' })).toBe('/var/db/fu');
  });
});

describe('release facts', () => {
  it('one query per template and question: steps on one path with other arguments do not share an answer', () => {
    const q = (extra: Record<string, unknown>) => releaseFactQuery(releaseArgs.parse({ version: '14.2-RELEASE', path: PATH, ...extra }));
    expect(q({}).key).toBe(q({}).key);
    expect(q({}).key).not.toBe(q({ update: false }).key);
    expect(q({}).key).not.toBe(q({ sets: ['lib32'] }).key);
    expect(q({}).resources).toContain(`host:release:${PATH}`);
    expect(q({}).script).not.toContain('zfs');
    expect(q({ update: false }).script).not.toContain('freebsd-update');
  });
});

describe('release plan', () => {
  it('a new template: dataset, verified extraction, host files, freebsd-update, snapshot named at run time', () => {
    const changes = plan(release, ARGS, { template: fresh() });
    expect(changes.map((c) => c.summary)).toEqual([
      `create dataset ${DS} (mountpoint ${PATH})`,
      'extract base.txz 14.2-RELEASE',
      `copy /etc/resolv.conf into ${PATH}`,
      `copy /etc/localtime into ${PATH}`,
      'freebsd-update 14.2-RELEASE -> latest patch level',
      `snapshot ${DS}@pN (the patch level reached)`,
    ]);
    const [create, extract = '', copy, , update, snap] = scripts(changes);
    expect(create).toBe(`zfs create -p -o 'mountpoint=${PATH}' ${DS}`);
    expect(extract).toContain('fetch -q -o "$fj_set" http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE/base.txz');
    expect(extract).toContain(`if [ "$fj_sum" != ${SUM['base.txz']} ]; then rm -f "$fj_set";`);
    expect(extract).toContain(`tar -xf "$fj_set" -C ${PATH} --unlink`);
    // the set is recorded only after tar, the "extracting" marker written before it
    expect(extract.indexOf('.fleetjail-extracting')).toBeLessThan(extract.indexOf('tar -xf'));
    expect(extract.indexOf(`printf '%s %s %s\\n' base.txz 14.2-RELEASE`)).toBeGreaterThan(extract.indexOf('tar -xf'));
    expect(copy).toBe(
      `cp -- /etc/resolv.conf ${PATH}/etc/resolv.conf.fleetjail-new && mv -f -- ${PATH}/etc/resolv.conf.fleetjail-new ${PATH}/etc/resolv.conf`,
    );
    expect(update).toContain(`fj_v=$(${PATH}/bin/freebsd-version -u)`);
    expect(update).toMatch(
      new RegExp(
        `PAGER=cat freebsd-update --not-running-from-cron -b ${PATH} -d /var/db/freebsd-update/fleetjail/\\S+ -f "\\$fj_conf" --currently-running "\\$fj_v" fetch install`,
      ),
    );
    expect(snap).toContain(`zfs list -H -o name ${DS}@"$fj_s" >/dev/null 2>&1 || zfs snapshot ${DS}@"$fj_s"`);
    expect(changes[4]?.diff).toEqual([
      { type: 'value', name: `${PATH}: freebsd-version -u`, before: null, after: '14.2-RELEASE-pN (latest)' },
    ]);
  });

  it('a converged template changes nothing', () => {
    expect(summaries(ARGS, done(3, current('14.2-RELEASE-p3')))).toEqual([]);
    expect(summaries({ ...ARGS, snapshot: 'base' }, done(3, current('14.2-RELEASE-p3'), { snapshots: ['base'] }))).toEqual([]);
    expect(summaries({ ...ARGS, update: false, snapshot: undefined }, done(3, undefined))).toEqual([]);
  });

  it('a new patch level: only the update, and its snapshot', () => {
    const changes = plan(release, ARGS, { template: done(3, pending('14.2-RELEASE-p4')) });
    expect(changes.map((c) => c.summary)).toEqual(['freebsd-update 14.2-RELEASE-p3 -> 14.2-RELEASE-p4', `snapshot ${DS}@p4`]);
    expect(changes.flatMap((c) => c.diff ?? [])).toEqual([
      { type: 'value', name: `${PATH}: freebsd-version -u`, before: '14.2-RELEASE-p3', after: '14.2-RELEASE-p4' },
      { type: 'value', name: `${DS}@p4`, before: null, after: 'snapshot' },
    ]);
    // @base is taken once: a later patch does not move it
    expect(summaries({ ...ARGS, snapshot: 'base' }, done(3, pending('14.2-RELEASE-p4'), { snapshots: ['base'] }))).toEqual([
      'freebsd-update 14.2-RELEASE-p3 -> 14.2-RELEASE-p4',
    ]);
    // update off: the new patch is not looked at
    expect(summaries({ ...ARGS, update: false }, done(3, undefined))).toEqual([]);
  });

  it('a missing snapshot of the current level is taken, named from the facts', () => {
    const changes = plan(release, ARGS, { template: done(3, current('14.2-RELEASE-p3'), { snapshots: [] }) });
    expect(scripts(changes)).toEqual([`zfs snapshot ${DS}@p3`]);
  });

  it('an extraction that did not finish is done again; a new set is extracted alone', () => {
    expect(summaries(ARGS, done(3, undefined, { extracting: ['base.txz'], manifest: { ok: true, sets: MANIFEST } }))).toEqual([
      'extract base.txz 14.2-RELEASE',
      `copy /etc/resolv.conf into ${PATH}`,
      `copy /etc/localtime into ${PATH}`,
      'freebsd-update 14.2-RELEASE -> latest patch level',
      `snapshot ${DS}@pN (the patch level reached)`,
    ]);
    expect(summaries({ ...ARGS, sets: ['lib32'] }, done(3, undefined, { manifest: { ok: true, sets: MANIFEST } }))).toEqual([
      'extract lib32.txz 14.2-RELEASE',
      `copy /etc/resolv.conf into ${PATH}`,
      `copy /etc/localtime into ${PATH}`,
      // the update runs after any extraction: the level it reaches names the snapshot
      'freebsd-update 14.2-RELEASE-p3 -> latest patch level',
      `snapshot ${DS}@pN (the patch level reached)`,
    ]);
  });

  it('a template made by hand (no marker) whose userland is the release is not extracted again', () => {
    const byHand = done(3, current('14.2-RELEASE-p3'), { hasMarker: false, sets: [] });
    expect(summaries(ARGS, byHand)).toEqual([]);
  });

  it('copies a host file that changed, and only that', () => {
    const f = done(3, current('14.2-RELEASE-p3'), {
      hostFiles: [HOST_FILES_SAME[0]!, { path: '/etc/localtime', host: '9'.repeat(64), template: '2'.repeat(64) }],
    });
    expect(summaries(ARGS, f)).toEqual([`copy /etc/localtime into ${PATH}`]);
    const noHostFile = done(3, current('14.2-RELEASE-p3'), {
      hostFiles: [{ path: '/etc/resolv.conf', host: null, template: null }, HOST_FILES_SAME[1]!],
    });
    expect(summaries(ARGS, noHostFile)).toEqual([]);
  });

  it('a plain directory: mkdir, no zfs', () => {
    const s = scripts(plan(release, { ...ARGS, dataset: undefined, snapshot: undefined }, { template: fresh({ dataset: undefined }) }));
    expect(s[0]).toBe(`mkdir -p -- ${PATH}`);
    expect(s.join('\n')).not.toContain('zfs');
  });

  it('refuses clearly: another release, a directory the dataset would hide, a dataset elsewhere, unreadable MANIFEST, unknown set, failed fetch', () => {
    const at = (patch: number, extra: Partial<TemplateState>) => done(patch, current('x'), extra);
    const err = (args: unknown, f: TemplateState) => {
      try {
        plan(release, args, { template: f });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(
      err(ARGS, at(5, { userlandText: '14.1-RELEASE-p5', userland: { version: '14.1-RELEASE-p5', release: '14.1-RELEASE', patch: 5 } })),
    ).toBe(
      `${PATH} holds 14.1-RELEASE-p5, not 14.2-RELEASE: the release module does not upgrade a template to another release (give each release its own path)`,
    );
    expect(err(ARGS, fresh({ dir: 'nonempty' }))).toMatch(/is not empty and dataset .* does not exist: refusing/);
    expect(err(ARGS, at(3, { dataset: { exists: true, mountpoint: '/elsewhere', mounted: true } }))).toBe(
      `dataset ${DS} has mountpoint /elsewhere, not ${PATH}`,
    );
    expect(err(ARGS, at(3, { dataset: { exists: true, mountpoint: PATH, mounted: false } }))).toBe(
      `dataset ${DS} is not mounted (zfs mount ${DS})`,
    );
    expect(err(ARGS, fresh({ manifest: { ok: false, error: 'fetch: http://x/MANIFEST: Not Found' } }))).toBe(
      'cannot read the MANIFEST of 14.2-RELEASE at http://mirror.lab/pub/FreeBSD/releases/amd64/amd64/14.2-RELEASE: fetch: http://x/MANIFEST: Not Found',
    );
    expect(err({ ...ARGS, sets: ['ports'] }, fresh())).toMatch(
      /^ports\.txz is not in the MANIFEST of 14\.2-RELEASE at .* \(it lists base\.txz, lib32\.txz, kernel\.txz\)$/,
    );
    expect(err(ARGS, done(3, { ok: false, error: 'freebsd-update fetch exit status 1: No mirrors remaining, giving up.' }))).toBe(
      `freebsd-update fetch for ${PATH}: freebsd-update fetch exit status 1: No mirrors remaining, giving up.`,
    );
    expect(err(ARGS, fresh({ dir: 'notdir' }))).toBe(`${PATH} exists and is not a directory`);
  });
});
