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
  db3: {}
  canary: {}
groups:
  prod: { hosts: [web1, web2, db1], children: [dbprod] }
  dbprod: { hosts: [db2] }
  staging: { hosts: [web10, canary] }
  webservers: { hosts: [web1, web2, web10] }
  canaries: { hosts: [web2] }
`);
const sel = (p: string) => selectHosts(inv, p);
const ALL = ['web1', 'web2', 'web10', 'db1', 'db2', 'db3', 'canary'];

describe('host patterns: single terms', () => {
  it('selects a host by name', () => {
    expect(sel('db1')).toEqual(['db1']);
  });

  it('selects a group with its children', () => {
    expect(sel('prod')).toEqual(['web1', 'web2', 'db1', 'db2']);
    expect(sel('dbprod')).toEqual(['db2']);
  });

  it('selects everything with all or *', () => {
    expect(sel('all')).toEqual(ALL);
    expect(sel('*')).toEqual(ALL);
  });

  it('matches * and ? globs against host names', () => {
    expect(sel('web*')).toEqual(['web1', 'web2', 'web10']);
    expect(sel('web?')).toEqual(['web1', 'web2']);
    expect(sel('*1')).toEqual(['web1', 'db1']);
    expect(sel('d?3')).toEqual(['db3']);
  });

  it('matches globs against group names too', () => {
    expect(sel('stag*')).toEqual(['web10', 'canary']);
    expect(sel('canar*')).toEqual(['web2', 'canary']);
  });

  it('takes character classes and ranges', () => {
    expect(sel('db[12]')).toEqual(['db1', 'db2']);
    expect(sel('db[1-3]')).toEqual(['db1', 'db2', 'db3']);
    expect(sel('db[!1]')).toEqual(['db2', 'db3']);
  });

  it('takes ~regular expressions', () => {
    expect(sel('~^web\\d$')).toEqual(['web1', 'web2']);
    expect(sel('~(db|web)1$')).toEqual(['web1', 'db1']);
  });
});

describe('host patterns: combinations', () => {
  it('unions with , and :', () => {
    expect(sel('db1,canary')).toEqual(['db1', 'canary']);
    expect(sel('db1:canary')).toEqual(['db1', 'canary']);
    expect(sel('staging,dbprod:db3')).toEqual(['web10', 'db2', 'db3', 'canary']);
  });

  it('intersects with &', () => {
    expect(sel('webservers:&prod')).toEqual(['web1', 'web2']);
    expect(sel('all:&staging:&webservers')).toEqual(['web10']);
  });

  it('excludes with !', () => {
    expect(sel('webservers:!canaries')).toEqual(['web1', 'web10']);
    expect(sel('all:!prod:!staging')).toEqual(['db3']);
  });

  it('starts from all when there are only exclusions or intersections', () => {
    expect(sel('!prod')).toEqual(['web10', 'db3', 'canary']);
    expect(sel('!canary,!prod')).toEqual(['web10', 'db3']);
    expect(sel('&staging')).toEqual(['web10', 'canary']);
  });

  it('takes unions first, then intersections, then exclusions, whatever the order written', () => {
    expect(sel('web*:&prod:!canaries')).toEqual(['web1']);
    expect(sel('!canaries:&prod:web*')).toEqual(['web1']);
    expect(sel('all:!staging:&prod:!db*')).toEqual(['web1', 'web2']);
    expect(sel('db*,&prod,web1')).toEqual(['web1', 'db1', 'db2']);
  });

  it('keeps inventory order and drops duplicates', () => {
    expect(sel('canary,web1,prod,web1')).toEqual(['web1', 'web2', 'db1', 'db2', 'canary']);
  });

  it('ignores spaces around terms and empty terms', () => {
    expect(sel(' db1 , db2 ,')).toEqual(['db1', 'db2']);
  });
});

describe('host pattern errors', () => {
  it('says which term names nothing, with a suggestion', () => {
    expect(() => sel('wbe1')).toThrow("no host or group named 'wbe1'; did you mean 'web1'?");
    expect(() => sel('prod,stagign')).toThrow("no host or group named 'stagign'; did you mean 'staging'?");
    expect(() => sel('all:!cnary')).toThrow("no host or group named 'cnary'; did you mean 'canary'?");
    expect(() => sel('all:&prdo')).toThrow("no host or group named 'prdo'; did you mean 'prod'?");
    expect(() => sel('nothing-like-it')).toThrow(/^no host or group named 'nothing-like-it'$/);
  });

  it('refuses a pattern that matches no hosts', () => {
    expect(() => sel('zzz*')).toThrow("host pattern 'zzz*' matched no hosts");
    expect(() => sel('prod:&staging')).toThrow("host pattern 'prod:&staging' matched no hosts");
    expect(() => sel('canary:!staging')).toThrow(/matched no hosts/);
  });

  it('refuses empty patterns and terms', () => {
    expect(() => sel('')).toThrow("empty host pattern ''");
    expect(() => sel(' , ')).toThrow(/empty host pattern/);
    expect(() => sel('all:!')).toThrow("host pattern 'all:!' has an empty term after '&' or '!'");
  });

  it('reports a bad regular expression', () => {
    expect(() => sel('~web(')).toThrow(/^invalid regular expression in host pattern term '~web\('/);
  });
});
