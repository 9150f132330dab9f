import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSshConfig, parseSshConfig, resolveSshConfig, type SshResolveContext } from '../../../src/inventory/ssh-config.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inventory');
const HOME = '/home/me';
const ctx: SshResolveContext = { localUser: 'me', home: HOME };
const resolve = (text: string, alias: string, extra: SshResolveContext = {}) =>
  resolveSshConfig(parseSshConfig(text), alias, { ...ctx, ...extra });

describe('ssh_config syntax', () => {
  it('takes keywords in any case, Key value and Key=value forms', () => {
    expect(resolve('HOST a\n  hostname 10.0.0.1\n  PORT=2222\n  User = ops\n', 'a')).toMatchObject({
      hostName: '10.0.0.1',
      port: 2222,
      user: 'ops',
    });
  });

  it('takes quoted values, and # comments on their own line or after a value', () => {
    const text = '# comment\nHost a # trailing\n  User "jump user"\n  IdentityFile \'/keys/my key\' # the key\n  HostName=h\\ 1\n';
    expect(resolve(text, 'a')).toMatchObject({ user: 'jump user', identityFiles: ['/keys/my key'], hostName: 'h 1' });
  });

  it('reports an unterminated quote and a bad port with file and line', () => {
    expect(() => parseSshConfig('Host a\n  User "ops\n', 'cfg')).toThrow('cfg:2: unterminated quoted string');
    expect(() => parseSshConfig('Host a\n\n  Port ssh\n', 'cfg')).toThrow("cfg:3: Port must be a number from 1 to 65535, got 'ssh'");
  });

  it('ignores keywords fleetjail does not use', () => {
    expect(resolve('Host *\n  ForwardAgent yes\n  ControlPath ~/.ssh/%C\n  User ops\n', 'x')).toEqual({
      user: 'ops',
      identityFiles: [],
      knownHostsFiles: [],
    });
  });
});

describe('ssh_config Host blocks', () => {
  const CONFIG = `
Host web1 web2
  User webops
Host db? !db9
  User dbops
Host *.ams.example.net !bastion.ams.example.net
  ProxyJump bastion.ams.example.net
Host *
  User fallback
`;

  it('matches any of several patterns, with * and ?', () => {
    expect(resolve(CONFIG, 'web2').user).toBe('webops');
    expect(resolve(CONFIG, 'db1').user).toBe('dbops');
    expect(resolve(CONFIG, 'db10').user).toBe('fallback');
    expect(resolve(CONFIG, 'jh1.ams.example.net').proxyJump).toBe('bastion.ams.example.net');
  });

  it('skips a block when a negated pattern matches', () => {
    expect(resolve(CONFIG, 'db9').user).toBe('fallback');
    expect(resolve(CONFIG, 'bastion.ams.example.net').proxyJump).toBeUndefined();
  });

  it('matches host names case-insensitively, as ssh lowercases them', () => {
    expect(resolve(CONFIG, 'WEB1').user).toBe('webops');
  });

  it('keeps the first value obtained for each keyword', () => {
    const text = 'Host a\n  User first\n  User second\nHost *\n  User third\n  Port 2200\nHost a\n  Port 2201\n';
    expect(resolve(text, 'a')).toMatchObject({ user: 'first', port: 2200 });
  });

  it('accumulates IdentityFile over every matching block, in order', () => {
    const text = 'Host a\n  IdentityFile /k/a\nHost *\n  IdentityFile /k/all\n  IdentityFile /k/all2\n';
    expect(resolve(text, 'a').identityFiles).toEqual(['/k/a', '/k/all', '/k/all2']);
    expect(resolve(text, 'b').identityFiles).toEqual(['/k/all', '/k/all2']);
  });

  it('takes ProxyJump none as the first value, which then hides later ones', () => {
    const text = 'Host bastion\n  ProxyJump none\nHost *\n  ProxyJump bastion\n';
    expect(resolve(text, 'bastion').proxyJump).toBeUndefined();
    expect(resolve(text, 'web').proxyJump).toBe('bastion');
  });
});

describe('ssh_config tokens', () => {
  it('expands ~ and %d %h %n %p %r %u %% in IdentityFile', () => {
    const text =
      'Host web\n  HostName %h.example.net\n  User ops\n  Port 2222\n  IdentityFile ~/.ssh/%r@%h:%p\n  IdentityFile %d/%u/%n/100%%\n';
    expect(resolve(text, 'web').identityFiles).toEqual([`${HOME}/.ssh/ops@web.example.net:2222`, `${HOME}/me/web/100%`]);
  });

  it('uses the local user for %r and port 22 for %p when nothing sets them', () => {
    expect(resolve('Host *\n  IdentityFile ~/.ssh/%r-%p\n', 'x').identityFiles).toEqual([`${HOME}/.ssh/me-22`]);
  });

  it('uses the values given by the caller, as ssh does its command-line options', () => {
    const text = 'Host web\n  HostName from-config\n  User config-user\n  IdentityFile ~/.ssh/%r-%h-%p\n';
    const s = resolve(text, 'web', { hostName: '10.0.0.5', user: 'root', port: 2022 });
    expect(s).toMatchObject({ hostName: '10.0.0.5', user: 'root', port: 2022, identityFiles: [`${HOME}/.ssh/root-10.0.0.5-2022`] });
  });

  it('reports an unknown token with file and line', () => {
    expect(() => resolveSshConfig(parseSshConfig('Host *\n  IdentityFile ~/.ssh/%Q\n', 'cfg'), 'x', ctx)).toThrow(
      "cfg:2: IdentityFile: unknown token '%Q'",
    );
  });
});

describe('ssh_config Match', () => {
  it('evaluates Match all and Match host with pattern lists', () => {
    const text = 'Match host web*,!web9\n  User webops\nMatch all\n  User everyone\n';
    expect(resolve(text, 'web1').user).toBe('webops');
    expect(resolve(text, 'web9').user).toBe('everyone');
  });

  it('matches host against the HostName obtained so far, and originalhost against the alias', () => {
    const text = 'Host jh1\n  HostName 10.1.0.1\nMatch host 10.1.*\n  User by-address\nMatch originalhost jh*\n  Port 2222\n';
    expect(resolve(text, 'jh1')).toMatchObject({ hostName: '10.1.0.1', user: 'by-address', port: 2222 });
    // An address given by the caller (the inventory's) counts as HostName.
    expect(resolve(text, 'other', { hostName: '10.1.0.9' }).user).toBe('by-address');
  });

  it('evaluates user, localuser and negated criteria', () => {
    const text = 'Match localuser me\n  Port 2200\nMatch user root\n  IdentityFile /k/root\nMatch !host bastion\n  ProxyJump bastion\n';
    expect(resolve(text, 'web', { user: 'root' })).toMatchObject({ port: 2200, identityFiles: ['/k/root'], proxyJump: 'bastion' });
    expect(resolve(text, 'bastion', { user: 'ops' })).toEqual({ port: 2200, user: 'ops', identityFiles: [], knownHostsFiles: [] });
  });

  it('skips blocks with criteria it cannot evaluate, with a warning', () => {
    const cfg = parseSshConfig('Match exec "test -f /x"\n  User never\nMatch host a final\n  User never\nHost *\n  User ok\n', 'cfg');
    expect(resolveSshConfig(cfg, 'a', ctx).user).toBe('ok');
    expect(cfg.warnings).toEqual([
      "cfg:1: Match exec test -f /x: criterion 'exec' is not supported; block skipped",
      "cfg:3: Match host a final: criterion 'final' is not supported; block skipped",
    ]);
  });
});

describe('ssh_config Include', () => {
  const home = path.join(FIXTURES, 'ssh-home');
  const cfg = loadSshConfig(path.join(home, '.ssh/config'), { home });
  const r = (alias: string) => resolveSshConfig(cfg, alias, { localUser: 'me', home });

  it('reads files relative to ~/.ssh, globs in name order, in place of the Include line', () => {
    expect(r('jh-1.ams')).toMatchObject({ hostName: 'jh-1.ams.example.net', proxyJump: 'bastion', user: 'fallback' });
    expect(r('jh-1.fra')).toMatchObject({ port: 2222, user: 'fallback' });
    expect(r('jh-1.fra').identityFiles).toEqual([path.join(home, '.ssh/id_fleet')]);
  });

  it('applies an Include inside a Host block only to that block', () => {
    expect(r('bastion')).toMatchObject({ hostName: '198.51.100.10', user: 'jump', port: 2200 });
    expect(r('bastion').identityFiles).toEqual([path.join(home, '.ssh/id_bastion'), path.join(home, '.ssh/id_fleet')]);
    expect(r('web').port).toBeUndefined();
  });

  it('follows absolute Include paths, ~, and globs in directory names; a missing file is no error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-ssh-'));
    fs.mkdirSync(path.join(dir, 'sites', 'ams'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sites', 'ams', 'config'), 'Host inc\n  HostName 10.1.1.1\n');
    fs.writeFileSync(path.join(dir, 'config'), `Include ${dir}/sites/*/config ${dir}/missing\nInclude ~/other\nHost *\n  User x\n`);
    fs.writeFileSync(path.join(dir, 'other'), 'Host inc\n  Port 2202\n');
    const c = loadSshConfig(path.join(dir, 'config'), { home: dir });
    expect(resolveSshConfig(c, 'inc', { localUser: 'me', home: dir })).toMatchObject({ hostName: '10.1.1.1', port: 2202, user: 'x' });
  });

  it('refuses Include loops', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-ssh-'));
    fs.writeFileSync(path.join(dir, 'config'), `Include ${dir}/config\n`);
    expect(() => loadSshConfig(path.join(dir, 'config'))).toThrow(/Include nested more than 16 deep/);
  });

  it('reports a config file it cannot read', () => {
    expect(() => loadSshConfig('/nonexistent/ssh_config')).toThrow('/nonexistent/ssh_config: cannot read ssh config: ENOENT');
  });
});
