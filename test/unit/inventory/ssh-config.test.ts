import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSshConfig, parseSshConfig, resolveSshConfig } from '../../../src/inventory/ssh-config.js';
import { parseInventory } from '../../../src/inventory/load.js';
import { resolveTarget } from '../../../src/inventory/resolve.js';

const CONFIG = `
# operator's ~/.ssh/config
Host jh-*.ams !jh-9.ams
  HostName %h.example.net
  User ops
  IdentityFile ~/.ssh/ams_%r
Host jh-1.ams
  Port 2201
  User nobody-wins-later
Host bastion
  HostName=198.51.100.7
  User "jump user"
  Port 2222
Match host *.fra
  ProxyJump bastion
Match exec "true"
  User never
Host *
  User fallback
  IdentityFile ~/.ssh/id_ed25519
  Port 22
`;

describe('ssh_config', () => {
  const cfg = parseSshConfig(CONFIG);

  it('takes the first value obtained for each keyword, accumulating IdentityFile', () => {
    const s = resolveSshConfig(cfg, 'jh-1.ams', 'me');
    expect(s).toMatchObject({ hostName: 'jh-1.ams.example.net', user: 'ops', port: 2201 });
    expect(s.identityFiles).toEqual([path.join(os.homedir(), '.ssh/ams_ops'), path.join(os.homedir(), '.ssh/id_ed25519')]);
  });

  it('honours negated patterns, Key=value, quoted values and Match host', () => {
    expect(resolveSshConfig(cfg, 'jh-9.ams', 'me')).toMatchObject({ user: 'fallback', port: 22 });
    expect(resolveSshConfig(cfg, 'bastion', 'me')).toMatchObject({ hostName: '198.51.100.7', user: 'jump user', port: 2222 });
    expect(resolveSshConfig(cfg, 'jh-2.fra', 'me').proxyJump).toBe('bastion');
    expect(cfg.skipped).toEqual(['ssh_config:16: Match exec true']);
  });

  it('follows Include with globs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-ssh-'));
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.writeFileSync(path.join(dir, 'conf.d', 'a.conf'), 'Host inc\n  HostName 10.1.1.1\n');
    fs.writeFileSync(path.join(dir, 'config'), `Include ${dir}/conf.d/*.conf\nHost *\n  User x\n`);
    expect(resolveSshConfig(loadSshConfig(path.join(dir, 'config')), 'inc', 'me')).toMatchObject({ hostName: '10.1.1.1', user: 'x' });
  });
});

describe('resolveTarget', () => {
  const cfg = parseSshConfig(CONFIG);
  const inv = parseInventory(`
defaults: { user: root }
hosts:
  jh-1.ams: {}
  jh-2.fra: { become: doas }
  direct: { address: 10.0.0.5, user: admin, port: 2022, identity_file: /keys/direct, proxy_jump: "jump@bastion:22,jh-1.ams" }
  loop1: { proxy_jump: loop2 }
  loop2: { proxy_jump: loop1 }
`, '/inv/x.yaml');

  it('lets the inventory win over ssh_config, and ssh_config fill the rest', () => {
    const t = resolveTarget(inv, 'jh-1.ams', cfg);
    expect(t).toMatchObject({ address: 'jh-1.ams.example.net', port: 2201, user: 'root', become: 'none', proxyJump: [] });
  });

  it('resolves ProxyJump hops through ssh_config and the inventory, flattening nested jumps', () => {
    const t = resolveTarget(inv, 'jh-2.fra', cfg);
    expect(t.proxyJump.map((h) => [h.user, h.address, h.port])).toEqual([['root', '198.51.100.7', 2222]]);
    const d = resolveTarget(inv, 'direct', cfg, { user: 'cli' });
    expect(d).toMatchObject({ address: '10.0.0.5', port: 2022, user: 'cli', identityFiles: ['/keys/direct'] });
    expect(d.proxyJump.map((h) => `${h.user}@${h.address}:${h.port}`)).toEqual(['jump@198.51.100.7:22', 'root@jh-1.ams.example.net:2201']);
  });

  it('detects ProxyJump loops', () => {
    expect(() => resolveTarget(inv, 'loop1', cfg)).toThrow('ProxyJump loop: loop1 -> loop2 -> loop1');
  });
});
