import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventories, parseInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';

describe('Ansible YAML inventory', () => {
  const inv = parseInventory(`
all:
  vars:
    ntp: pool.ntp.org
  hosts:
    lonely: { ansible_host: 192.0.2.9 }
  children:
    jailhosts:
      vars: { jail_root: /usr/jails }
      children:
        ams:
          hosts:
            jh1: { ansible_host: 192.0.2.1, ansible_port: 2222, ansible_user: ops, ansible_become: true, ansible_become_method: doas, zpool: zroot }
            jh2:
        fra:
          hosts:
            jh3: { ansible_host: 192.0.2.3, ansible_ssh_private_key_file: /keys/fra }
`, '/inv/hosts.yaml');

  it('maps connection variables to host fields and keeps the rest as variables', () => {
    expect(inv.hosts.get('jh1')).toMatchObject({ address: '192.0.2.1', port: 2222, user: 'ops', become: 'doas' });
    expect(inv.hosts.get('jh3')).toMatchObject({ identityFile: '/keys/fra' });
    expect(hostVars(inv, 'jh1')).toEqual({ ntp: 'pool.ntp.org', jail_root: '/usr/jails', zpool: 'zroot' });
  });

  it('keeps nested children as groups', () => {
    expect(inv.groups.get('jailhosts')?.children).toEqual(['ams', 'fra']);
    expect(inv.groups.get('ams')?.hosts).toEqual(['jh1', 'jh2']);
    expect([...inv.hosts.keys()]).toEqual(['lonely', 'jh1', 'jh2', 'jh3']);
  });
});

describe('several inventory files', () => {
  it('merge in order, later files winning per field, and a directory loads its YAML files sorted', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-inv-'));
    fs.mkdirSync(path.join(dir, 'site'));
    fs.writeFileSync(path.join(dir, 'site', '10-hosts.yaml'), 'hosts:\n  a: { address: 10.0.0.1, vars: { x: 1, y: 1 } }\n');
    fs.writeFileSync(path.join(dir, 'site', '20-override.yml'), 'hosts:\n  a: { port: 2200, vars: { y: 2 } }\n  b: {}\n');
    fs.writeFileSync(path.join(dir, 'site', 'README.md'), 'not an inventory');
    fs.writeFileSync(path.join(dir, 'extra.yaml'), 'hosts:\n  a: { address: 10.9.9.9 }\n');
    const inv = loadInventories([path.join(dir, 'site'), path.join(dir, 'extra.yaml')]);
    expect(inv.hosts.get('a')).toMatchObject({ address: '10.9.9.9', port: 2200, vars: { x: 1, y: 2 } });
    expect([...inv.hosts.keys()]).toEqual(['a', 'b']);
  });
});
