import { describe, expect, it } from 'vitest';
import { file } from '../../../src/modules/file.js';
import { noSymlinksBelow } from '../../../src/transport/confine.js';
import { sha256Hex } from '../../../src/util/digest.js';
import { sh } from '../../../src/transport/quote.js';
import type { Action } from '../../../src/modules/types.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const existing = (content: string, extra = {}) => ({ state: textFile(content, { sha256: sha256Hex(content), ...extra }) });

describe('file', () => {
  it('writes a missing file atomically with its mode, and shows it as a diff from nothing', () => {
    const changes = plan(file, { path: '/etc/motd', content: 'hello\n', mode: '0644', owner: 'root' }, { state: ABSENT });
    expect(changes).toHaveLength(1);
    expect(changes[0]?.action).toEqual({ kind: 'write', path: '/etc/motd', content: 'hello\n', mode: '0644', owner: 'root' } satisfies Action);
    expect(changes[0]?.diff).toEqual([{ type: 'file', path: '/etc/motd', unified: '--- /etc/motd\n+++ /etc/motd\n@@ -0,0 +1 @@\n+hello\n' }]);
  });

  it('sends nothing when the checksum and attributes match', () => {
    expect(plan(file, { path: '/etc/motd', content: 'hello\n', mode: '0644', owner: 'root', group: 'wheel' }, existing('hello\n'))).toEqual([]);
    // owner and group may be given by number
    expect(plan(file, { path: '/etc/motd', content: 'hello\n', owner: '0', group: '0' }, existing('hello\n'))).toEqual([]);
  });

  it('rewrites a file whose checksum differs; the diff needs the old content (--diff)', () => {
    const withContent = plan(file, { path: '/etc/motd', content: 'new\n' }, existing('old\n'));
    expect(withContent[0]?.action.kind).toBe('write');
    expect(withContent[0]?.diff?.[0]).toMatchObject({ type: 'file', unified: expect.stringContaining('-old\n+new\n') });
    const checksumOnly = plan(file, { path: '/etc/motd', content: 'new\n' }, { state: { ...existing('old\n').state, content: undefined } });
    expect(checksumOnly[0]?.diff?.[0]).toEqual({ type: 'value', name: '/etc/motd sha256', before: sha256Hex('old\n'), after: sha256Hex('new\n') });
  });

  it('fixes only the attributes when the content is right', () => {
    const changes = plan(file, { path: '/etc/motd', content: 'x', mode: '0600', owner: 'ops', group: 'wheel' }, existing('x'));
    expect(scripts(changes)).toEqual([`chmod -- 0600 /etc/motd\nchown -- ops /etc/motd`]);
    expect(changes[0]?.summary).toBe('/etc/motd: mode 0644 -> 0600, owner root -> ops');
  });

  it('directories: created with mkdir -p and attributes; a file in the way is an error', () => {
    expect(scripts(plan(file, { path: '/usr/jails', state: 'directory', mode: '0755' }, { state: ABSENT }))).toEqual(['mkdir -p -- /usr/jails\nchmod -- 0755 /usr/jails']);
    expect(plan(file, { path: '/usr/jails', state: 'directory', mode: '0755' }, { state: { type: 'directory', mode: '0755' } })).toEqual([]);
    expect(() => plan(file, { path: '/usr/jails', state: 'directory' }, existing('x'))).toThrow(/is a file, not a directory/);
  });

  it('symlinks: created or repointed with ln -sfh', () => {
    const args = { path: '/etc/localtime', state: 'link', target: '/usr/share/zoneinfo/UTC' };
    expect(scripts(plan(file, args, { state: ABSENT }))).toEqual(['ln -sfh -- /usr/share/zoneinfo/UTC /etc/localtime']);
    expect(plan(file, args, { state: { type: 'link', linkTarget: '/usr/share/zoneinfo/UTC' } })).toEqual([]);
    const repoint = plan(file, args, { state: { type: 'link', linkTarget: '/usr/share/zoneinfo/CET' } });
    expect(repoint[0]?.diff).toEqual([{ type: 'value', name: '/etc/localtime -> ', before: '/usr/share/zoneinfo/CET', after: '/usr/share/zoneinfo/UTC' }]);
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
    expect(() => plan(file, { path: '/etc/x', content: '' }, { state: { type: 'link', linkTarget: '/y' } })).toThrow(/is a link/);
    expect(() => plan(file, { path: '/etc/x', content: '' }, { state: { type: 'directory' } })).toThrow(/is a directory/);
  });

  it('inside a jail: writes below the jail root', () => {
    const t = { kind: 'jail' as const, name: 'www' };
    const changes = plan(file, { path: '/etc/motd', content: 'x', mode: '0600' }, { state: ABSENT, root: '/usr/jails/www' }, ctx(t));
    expect(changes[0]?.action).toMatchObject({ kind: 'write', path: '/usr/jails/www/etc/motd', confineTo: '/usr/jails/www' });
    // Scripts first check that no component below the jail root is a symlink (into the host's tree).
    expect(scripts(plan(file, { path: '/etc/motd', content: 'x', mode: '0600' }, { state: existing('x').state, root: '/usr/jails/www' }, ctx(t))))
      .toEqual([`${noSymlinksBelow('/usr/jails/www', '/etc/motd')}\n${sh`chmod -- 0600 ${'/usr/jails/www/etc/motd'}`}`]);
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

  it('prepare() reads src and renders template through the local context', () => {
    const local = { readFile: (p: string) => `file:${p}`, renderTemplate: (p: string) => `tpl:${p}` };
    expect(file.prepare?.(file.args.parse({ path: '/x', src: 'files/a' }), local)).toMatchObject({ content: 'file:files/a' });
    expect(file.prepare?.(file.args.parse({ path: '/x', template: 't.liquid' }), local)).toMatchObject({ content: 'tpl:t.liquid' });
  });

  it('asks for the content only in diff mode', () => {
    const args = file.args.parse({ path: '/etc/motd', content: 'x' });
    expect(file.facts(args, ctx()).state.script).not.toContain('cat --');
    expect(file.facts(args, ctx(undefined, { diff: true })).state.script).toContain('cat --');
  });
});
