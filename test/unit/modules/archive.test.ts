import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archive } from '../../../src/modules/files/archive.js';
import { plan, scripts } from './support.js';

const state = (o: Partial<{ source: boolean; done: boolean; rotation: string[] }> = {}) => ({
  state: { source: true, done: false, rotation: [], ...o },
});
const ARGS = { path: '/usr/jails/www', dest: '/usr/jails/archive/www-2026-01-09.txz', keep: { prefix: 'www-', count: 3 } };

describe('archive plan', () => {
  it('packs the directory when the archive is missing, and rotates out the oldest beyond count', () => {
    const cs = plan(
      archive,
      ARGS,
      state({ rotation: ['www-2026-01-05.txz', 'www-2026-01-07.txz', 'www-2026-01-06.txz', 'www-2026-01-08.txz', 'www2-2026-01-01.txz'] }),
    );
    expect(cs.map((c) => c.summary)).toEqual([
      'archive /usr/jails/www to /usr/jails/archive/www-2026-01-09.txz',
      'rotate www-*: remove www-2026-01-05.txz, www-2026-01-06.txz',
    ]);
    expect(scripts(cs)[1]).toBe('rm -f -- /usr/jails/archive/www-2026-01-05.txz /usr/jails/archive/www-2026-01-06.txz');
  });

  it('an existing archive is done; a missing source is an error', () => {
    expect(plan(archive, ARGS, state({ done: true, rotation: ['www-2026-01-08.txz', 'www-2026-01-09.txz'] }))).toEqual([]);
    expect(() => plan(archive, ARGS, state({ source: false }))).toThrow('/usr/jails/www is not a directory');
  });

  it('validates: a known extension, dest inside its rotation', () => {
    expect(archive.args.safeParse({ path: '/a', dest: '/b/a.zip' }).success).toBe(false);
    expect(archive.args.safeParse({ ...ARGS, keep: { prefix: 'db-', count: 3 } }).success).toBe(false);
    expect(archive.args.safeParse({ path: '/a', dest: '/b/a.tgz' }).success).toBe(true);
  });

  it('the pack script writes the archive whole, 0600, with no temp file left; a failing tar leaves nothing', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-arch-'));
    fs.mkdirSync(path.join(root, 'jail/etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'jail/etc/rc.conf'), 'sshd_enable="YES"\n');
    const dest = path.join(root, 'out', 'jail-1.tgz');
    const [script] = scripts(plan(archive, { path: path.join(root, 'jail'), dest }, state()));
    expect(spawnSync('/bin/sh', ['-c', script as string]).status).toBe(0);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
    expect(spawnSync('tar', ['-tzf', dest], { encoding: 'utf8' }).stdout.split('\n')).toContain('./etc/rc.conf');
    const [failing] = scripts(plan(archive, { path: path.join(root, 'missing'), dest: path.join(root, 'out', 'jail-2.tgz') }, state()));
    expect(spawnSync('/bin/sh', ['-c', failing as string]).status).not.toBe(0);
    expect(fs.readdirSync(path.join(root, 'out'))).toEqual(['jail-1.tgz']);
  });
});
