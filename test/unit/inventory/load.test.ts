import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inventoryFiles, loadInventories } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/inventory/vars.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inventory');
const fixture = (p: string) => path.join(FIXTURES, p);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fj-inv-'));

describe('loading several inventories', () => {
  it('loads a directory: its .yaml and .yml files in name order, nothing else', () => {
    expect(inventoryFiles(fixture('site'))).toEqual([fixture('site/10-hosts.yaml'), fixture('site/20-groups.yml')]);
  });

  it('merges files in order: later values win field by field and variable by variable', () => {
    const inv = loadInventories([fixture('site')]);
    expect(inv.hosts.get('web1')).toMatchObject({ address: '10.0.0.1', port: 2201, vars: { http_port: 80, tier: 'override' } });
    expect(inv.hosts.get('web1')?.pos).toEqual({ file: fixture('site/10-hosts.yaml'), line: 7, col: 3 });
    expect(inv.hosts.get('db1')?.identityFile).toBe(fixture('site/keys/db'));
    expect(inv.knownHosts).toEqual([fixture('site/known_hosts')]);
    expect(hostVars(inv, 'web1')).toEqual({ ntp_server: 'pool.ntp.org', role: 'http', http_port: 80, tier: 'override' });
    expect(inv.groups.get('prod')?.children).toEqual(['web', 'dbs']);
  });

  it('merges files and directories given together (-i dir -i file)', () => {
    const inv = loadInventories([fixture('site'), fixture('extra.yaml')]);
    expect([...inv.hosts.keys()]).toEqual(['web1', 'web2', 'db1', 'canary1']);
    expect(inv.hosts.get('web2')).toMatchObject({ address: '10.9.9.2', port: 2222 });
    expect(inv.groups.get('canary')?.hosts).toEqual(['canary1']);
    expect(inv.groups.get('all')?.children).toEqual(['prod', 'canary']);
  });

  it('merges an Ansible inventory with a native one', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'all:\n  children:\n    web:\n      hosts:\n        web1: { ansible_host: 10.0.0.1 }\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'hosts:\n  web1: { port: 2222 }\ngroups:\n  web: { vars: { role: http } }\n');
    const inv = loadInventories([dir]);
    expect(inv.hosts.get('web1')).toMatchObject({ port: 2222, vars: { ansible_host: '10.0.0.1' } });
    expect(hostVars(inv, 'web1')).toMatchObject({ role: 'http' });
  });

  it('checks group children and cycles across files, after the last one', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '1.yaml'), 'groups:\n  prod: { children: [web] }\n');
    fs.writeFileSync(path.join(dir, '2.yaml'), 'groups:\n  web: { hosts: [w] }\n');
    expect(loadInventories([dir]).groups.get('prod')?.children).toEqual(['web']);
    fs.writeFileSync(path.join(dir, '3.yaml'), 'groups:\n  web: { children: [prod] }\n');
    expect(() => loadInventories([dir])).toThrow(`${path.join(dir, '1.yaml')}:2:3: group cycle: prod -> web -> prod`);
  });

  it('names the file, line and column of an error in any of the files', () => {
    expect(() => loadInventories([fixture('site'), fixture('typo.yaml')])).toThrow(
      `${fixture('typo.yaml')}:5:5: unknown key 'adress'; did you mean 'address'?`,
    );
  });

  it('loads the example inventory shipped in inventory/', () => {
    const inv = loadInventories([path.resolve(FIXTURES, '../../../inventory')]);
    expect([...inv.groups.keys()]).toEqual(expect.arrayContaining(['all', 'prod', 'jailhosts', 'canary']));
    expect(inv.groups.get('all')?.hosts).toContain('jh-ams-1');
  });

  it('reports a missing path or a directory without inventories', () => {
    expect(() => loadInventories(['/nonexistent/inv.yaml'])).toThrow('inventory not found: /nonexistent/inv.yaml');
    const empty = tmp();
    fs.writeFileSync(path.join(empty, 'notes.txt'), '');
    expect(() => loadInventories([empty])).toThrow(`inventory directory ${empty} holds no .yaml or .yml files`);
  });
});
