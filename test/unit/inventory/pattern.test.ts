import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/pattern.js';

const inv = parseInventory(`
hosts:
  web1: {}
  web2: {}
  web10: {}
  db1: {}
  db2: {}
  canary: {}
groups:
  prod: { hosts: [web1, web2, db1], children: [dbprod] }
  dbprod: { hosts: [db2] }
  staging: { hosts: [web10, canary] }
  webservers: { hosts: [web1, web2, web10] }
`);
const sel = (p: string) => selectHosts(inv, p);

describe('host patterns', () => {
  it('selects by name, group (with children), all and *', () => {
    expect(sel('db1')).toEqual(['db1']);
    expect(sel('prod')).toEqual(['web1', 'web2', 'db1', 'db2']);
    expect(sel('all')).toHaveLength(6);
    expect(sel('*')).toHaveLength(6);
  });

  it('matches globs against host and group names', () => {
    expect(sel('web?')).toEqual(['web1', 'web2']);
    expect(sel('web*')).toEqual(['web1', 'web2', 'web10']);
    expect(sel('db[12]')).toEqual(['db1', 'db2']);
    expect(sel('stag*')).toEqual(['web10', 'canary']);
    expect(sel('~^web\\d$')).toEqual(['web1', 'web2']);
  });

  it('unions with , and :', () => {
    expect(sel('db1,canary')).toEqual(['db1', 'canary']);
    expect(sel('db1:canary')).toEqual(['db1', 'canary']);
  });

  it('intersects with & and excludes with !, unions first', () => {
    expect(sel('webservers:&prod')).toEqual(['web1', 'web2']);
    expect(sel('web*:&prod:!web2')).toEqual(['web1']);
    expect(sel('!canary,!prod')).toEqual(['web10']);
    expect(sel('all:!staging:&prod:!db*')).toEqual(['web1', 'web2']);
  });

  it('keeps inventory order and drops duplicates', () => {
    expect(sel('canary,web1,prod,web1')).toEqual(['web1', 'web2', 'db1', 'db2', 'canary']);
  });

  it('says which term names nothing, with a suggestion', () => {
    expect(() => sel('wbe1')).toThrow("no host or group named 'wbe1'; did you mean 'web1'?");
    expect(() => sel('prod,stagign')).toThrow(/did you mean 'staging'/);
    expect(() => sel('zzz*')).toThrow("host pattern 'zzz*' matched no hosts");
    expect(() => sel('prod:&staging')).toThrow(/matched no hosts/);
  });
});
