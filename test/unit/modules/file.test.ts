import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { file } from '../../../src/modules/files/file.js';
import { enterJailDir, noSymlinksBelow } from '../../../src/shell/confine.js';
import { sha256Hex } from '../../../src/util/digest.js';
import type { Action } from '../../../src/modules/kit/contract.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';
import { hashLocalFile } from '../../../src/modules/kit/local-source.js';

const existing = (content: string, extra = {}) => ({ state: textFile(content, { sha256: sha256Hex(content), ...extra }) });

describe('file', () => {
  it('writes a missing file atomically with its mode, and shows it as a diff from nothing (--diff only)', () => {
    const args = { path: '/etc/motd', content: 'hello\n', mode: '0644', owner: 'root' };
    const changes = plan(file, args, { state: ABSENT }, ctx(undefined, { diff: true }));
    expect(changes).toHaveLength(1);
    expect(changes[0]?.summary).toBe('create /etc/motd (1 line)');
    expect(changes[0]?.action).toEqual({
      kind: 'write',
      path: '/etc/motd',
      content: 'hello\n',
      mode: '0644',
      owner: 'root',
    } satisfies Action);
    expect(changes[0]?.diff).toEqual([
      { type: 'file', path: '/etc/motd', unified: '--- /etc/motd\n+++ /etc/motd\n@@ -0,0 +1 @@\n+hello\n' },
    ]);
    // Without --diff no diff is computed at all.
    expect(plan(file, args, { state: ABSENT })[0]?.diff).toEqual([]);
  });

  it('sends nothing when the checksum and attributes match', () => {
    expect(plan(file, { path: '/etc/motd', content: 'hello\n', mode: '0644', owner: 'root', group: 'wheel' }, existing('hello\n'))).toEqual(
      [],
    );
    // owner and group may be given by number
    expect(plan(file, { path: '/etc/motd', content: 'hello\n', owner: '0', group: '0' }, existing('hello\n'))).toEqual([]);
  });

  it('rewrites a file whose checksum differs; the diff needs the old content (--diff)', () => {
    const withDiff = ctx(undefined, { diff: true });
    const withContent = plan(file, { path: '/etc/motd', content: 'new\n' }, existing('old\n'), withDiff);
    expect(withContent[0]?.action.kind).toBe('write');
    expect(withContent[0]?.summary).toBe('update /etc/motd (1 line)');
    expect(withContent[0]?.diff?.[0]).toMatchObject({ type: 'file', unified: expect.stringContaining('-old\n+new\n') });
    // A host file read without its content (larger than 1 MiB): sizes and checksums instead.
    const big = { ...existing('old\n').state, content: undefined, size: 5_000_000 };
    const checksumOnly = plan(file, { path: '/etc/motd', content: 'new\n' }, { state: big }, withDiff);
    expect(checksumOnly[0]?.diff).toEqual([
      {
        type: 'file',
        path: '/etc/motd',
        unified: `/etc/motd: files differ: 5000000 -> 4 bytes, sha256 ${sha256Hex('old\n')} -> ${sha256Hex('new\n')} (larger than 1 MiB)\n`,
      },
    ]);
  });

  it('fixes only the attributes when the content is right', () => {
    const changes = plan(file, { path: '/etc/motd', content: 'x', mode: '0600', owner: 'ops', group: 'wheel' }, existing('x'));
    expect(scripts(changes)).toEqual([`chmod -- 0600 /etc/motd\nchown -- ops /etc/motd`]);
    expect(changes[0]?.summary).toBe('/etc/motd: mode 0644 -> 0600, owner root -> ops');
  });

  it('directories: created with mkdir -p and attributes; a file in the way is an error', () => {
    expect(scripts(plan(file, { path: '/usr/jails', state: 'directory', mode: '0755' }, { state: ABSENT }))).toEqual([
      'mkdir -p -- /usr/jails\nchmod -- 0755 /usr/jails',
    ]);
    expect(plan(file, { path: '/usr/jails', state: 'directory', mode: '0755' }, { state: { type: 'directory', mode: '0755' } })).toEqual(
      [],
    );
    expect(() => plan(file, { path: '/usr/jails', state: 'directory' }, existing('x'))).toThrow(/is a file, not a directory/);
  });

  it('symlinks: created or repointed with ln -sfh', () => {
    const args = { path: '/etc/localtime', state: 'link', target: '/usr/share/zoneinfo/UTC' };
    expect(scripts(plan(file, args, { state: ABSENT }))).toEqual(['ln -sfh -- /usr/share/zoneinfo/UTC /etc/localtime']);
    expect(plan(file, args, { state: { type: 'link', linkTarget: '/usr/share/zoneinfo/UTC' } })).toEqual([]);
    const repoint = plan(file, args, { state: { type: 'link', linkTarget: '/usr/share/zoneinfo/CET' } });
    expect(repoint[0]?.diff).toEqual([
      { type: 'value', name: '/etc/localtime -> ', before: '/usr/share/zoneinfo/CET', after: '/usr/share/zoneinfo/UTC' },
    ]);
  });

  it('absent: rm for files and links, rmdir for directories unless recursive', () => {
    expect(scripts(plan(file, { path: '/etc/x', state: 'absent' }, existing('x')))).toEqual(['rm -f -- /etc/x']);
    expect(scripts(plan(file, { path: '/var/x', state: 'absent' }, { state: { type: 'directory' } }))).toEqual(['rmdir -- /var/x']);
    const rec = plan(file, { path: '/var/x', state: 'absent', recursive: true }, { state: { type: 'directory' } });
    expect(scripts(rec)).toEqual(['rm -rf -- /var/x']);
    expect(rec[0]?.touches).toContain('host:file:/var/x/*');
    expect(plan(file, { path: '/etc/x', state: 'absent' }, { state: ABSENT })).toEqual([]);
  });

  it('will not replace a symlink or directory with a file', () => {
    expect(() => plan(file, { path: '/etc/x', content: '' }, { state: { type: 'link', linkTarget: '/y' } })).toThrow(/is a symbolic link/);
    expect(() => plan(file, { path: '/etc/x', content: '' }, { state: { type: 'directory' } })).toThrow(/is a directory/);
  });

  it('inside a jail: writes below the jail root', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const changes = plan(file, { path: '/etc/motd', content: 'x', mode: '0600' }, { state: ABSENT, root: '/usr/jails/www' }, ctx(t));
    expect(changes[0]?.action).toMatchObject({ kind: 'write', path: '/usr/jails/www/etc/motd', confineTo: '/usr/jails/www' });
    // Scripts first check that no component below the jail root is a symlink (into the host's tree),
    // then work from inside the directory, checked to be in the jail's root, by relative names.
    expect(
      scripts(
        plan(file, { path: '/etc/motd', content: 'x', mode: '0600' }, { state: existing('x').state, root: '/usr/jails/www' }, ctx(t)),
      ),
    ).toEqual([
      `(\n${noSymlinksBelow('/usr/jails/www', '/etc/motd')}${enterJailDir('/usr/jails/www', '/usr/jails/www/etc')}chmod -h -- 0600 ./motd\n)`,
    ]);
  });

  it("inside a jail: owner and group names are the jail's, looked up in its own files; chown and compare by number", () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const args = {
      path: '/root/app.key',
      state: 'file' as const,
      recursive: false,
      content: 'k',
      owner: 'ops',
      group: 'staff',
      mode: '0600',
    };
    const q = file.facts(args, ctx(t)) as Record<
      string,
      { script: string; parse: (o: { stdout: string; stderr: string; exitCode: number }) => unknown }
    >;
    expect(q.ids?.script).toContain('fj_id_of passwd ops uid\nfj_id_of group staff gid');
    expect(q.ids?.parse({ stdout: 'uid 3000\ngid 3001\n', stderr: '', exitCode: 0 })).toEqual({ uid: '3000', gid: '3001' });
    expect(() => q.ids?.parse({ stdout: 'uid -\ngid 3001\n', stderr: '', exitCode: 0 })).toThrow(
      'user ops does not exist in jail www (its /etc/passwd)',
    );
    // Numeric ids need no lookup.
    expect((file.facts({ ...args, owner: '0', group: '0' }, ctx(t)) as Record<string, unknown>).ids).toBeUndefined();
    const ids = { uid: '3000', gid: '3001' };
    const root = '/usr/jails/www';
    expect(plan(file, args, { state: ABSENT, root, ids }, ctx(t))[0]?.action).toMatchObject({
      kind: 'write',
      owner: '3000',
      group: '3001',
    });
    // The host's names for the file's ids (here the host's ops, uid 1001) mean nothing: ids are compared.
    const hostOps = existing('k', { mode: '0600', uid: '1001', gid: '3001', owner: 'ops', group: 'staff' }).state;
    const fix = plan(file, args, { state: hostOps, root, ids }, ctx(t));
    expect(fix.map((c) => c.summary)).toEqual(['/root/app.key: owner 1001 -> 3000']);
    expect(scripts(fix)[0]).toContain('\nchown -h -- 3000 ./app.key\n');
    expect(plan(file, args, { state: { ...hostOps, uid: '3000', owner: 'someone' }, root, ids }, ctx(t))).toEqual([]);
  });

  it('arguments: one content source, quoted modes, targets only for links', () => {
    expect(file.args.safeParse({ path: '/x', content: 'a', src: 'b' }).success).toBe(false);
    expect(file.args.safeParse({ path: '/x', state: 'link' }).success).toBe(false);
    expect(file.args.safeParse({ path: '/x', target: '/y' }).success).toBe(false);
    const decimal = file.args.safeParse({ path: '/x', mode: 644 });
    expect(decimal.success).toBe(false);
    expect(decimal.error?.issues[0]?.message).toMatch(/in quotes/);
    expect(file.args.safeParse({ path: 'relative' }).success).toBe(false);
  });

  it('prepare() renders a template, reads a small text src, and takes any other src by reference (size and sha256)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-file-src-'));
    try {
      const big = 'x'.repeat(100) + '\n'.repeat(20_000);
      fs.writeFileSync(path.join(dir, 'big.txt'), big);
      fs.writeFileSync(path.join(dir, 'small.txt'), 'hello\n');
      fs.writeFileSync(path.join(dir, 'small.bin'), Buffer.from([0x68, 0x00, 0xff]));
      const local = {
        readFile: () => {
          throw new Error('src must not be read as text');
        },
        renderTemplate: (p: string) => `tpl:${p}`,
        localFile: (p: string) => hashLocalFile(path.join(dir, p)),
      };
      const prepared = (args: object) => file.prepare?.(file.args.parse({ path: '/x', ...args }), local);
      expect(prepared({ template: 't.liquid' })).toMatchObject({ content: 'tpl:t.liquid' });
      expect(prepared({ src: 'small.txt' })).toMatchObject({ content: 'hello\n', src: undefined });
      expect(prepared({ src: 'big.txt' })).toMatchObject({
        content: { kind: 'local-file', path: path.join(dir, 'big.txt'), size: big.length, sha256: sha256Hex(big) },
      });
      expect(prepared({ src: 'small.bin' })).toMatchObject({
        content: { kind: 'local-file', size: 3, sha256: sha256Hex(Buffer.from([0x68, 0x00, 0xff])) },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a local file is compared by sha256 and written by reference; its diff reads it only when small enough', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-file-local-'));
    try {
      const text = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n') + '\n';
      fs.writeFileSync(path.join(dir, 'conf'), text);
      const local = hashLocalFile(path.join(dir, 'conf'));
      const args = { ...file.args.parse({ path: '/etc/conf', mode: '0644' }), content: local };
      const same = { state: textFile('', { sha256: local.sha256, content: undefined }) };
      expect(file.plan(args, same, ctx())).toEqual([]);
      const old = text.replace('line 1500\n', 'line 1500 old\n');
      const changed = file.plan(args, { state: textFile(old, { sha256: sha256Hex(old) }) }, ctx(undefined, { diff: true }));
      expect(changed[0]?.summary).toBe(`update /etc/conf (${text.length} bytes)`);
      expect(changed[0]?.action).toMatchObject({ kind: 'write', path: '/etc/conf', content: local });
      expect((changed[0]?.diff?.[0] as { unified: string }).unified).toContain(
        '@@ -1498,7 +1498,7 @@\n line 1497\n line 1498\n line 1499\n-line 1500 old\n+line 1500\n',
      );
      // Over the diff limit: the file is not read, the entry says what is known.
      fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 0x61));
      const bigFile = hashLocalFile(path.join(dir, 'big'));
      const created = file.plan({ ...args, content: bigFile }, { state: ABSENT }, ctx(undefined, { diff: true }));
      expect(created[0]?.diff).toEqual([
        {
          type: 'file',
          path: '/etc/conf',
          unified: `/etc/conf: files differ: 0 -> 2097152 bytes, sha256 ${sha256Hex('')} -> ${bigFile.sha256} (larger than 1 MiB)\n`,
        },
      ]);
      expect(file.plan({ ...args, content: bigFile }, { state: ABSENT }, ctx())[0]?.diff).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks for the content only in diff mode', () => {
    const args = file.args.parse({ path: '/etc/motd', content: 'x' });
    expect(file.facts(args, ctx()).state.script).not.toContain('echo content');
    expect(file.facts(args, ctx(undefined, { diff: true })).state.script).toContain('echo content');
  });
});
