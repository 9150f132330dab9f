import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { YamlFile } from '../../../src/util/yaml.js';
import { ConfigError } from '../../../src/util/errors.js';

const TEXT = [
  'name: site', //                                     line 1
  'hosts:', //                                         line 2
  '  web1:', //                                        line 3
  '    port: 22', //                                   line 4
  '    tags: [a, b]', //                                line 5
  '  web2: { port: 23 }', //                           line 6
  'list:', //                                          line 7
  '  - first', //                                      line 8
  '  - { key: value }', //                             line 9
  '',
].join('\n');

describe('YamlFile', () => {
  const y = YamlFile.parse('site.yaml', TEXT);

  it('gives the document, and copies of the values at a path', () => {
    expect(y.value()).toMatchObject({ name: 'site', hosts: { web2: { port: 23 } } });
    expect(y.valueAt(['hosts', 'web1', 'tags'])).toEqual(['a', 'b']);
    expect(y.valueAt(['list', 1, 'key'])).toBe('value');
    expect(y.valueAt(['hosts', 'nope'])).toBeUndefined();
    expect(y.valueAt(['hosts', 'constructor'])).toBeUndefined();
    (y.valueAt(['hosts', 'web1']) as { port: number }).port = 99;
    expect(y.valueAt(['hosts', 'web1', 'port'])).toBe(22);
  });

  it('finds 1-based positions of values and keys, in block and flow style', () => {
    expect(y.pos(['hosts', 'web1', 'port'])).toEqual({ line: 4, col: 11 });
    expect(y.pos(['hosts', 'web1', 'port'], { key: true })).toEqual({ line: 4, col: 5 });
    expect(y.pos(['hosts', 'web2', 'port'])).toEqual({ line: 6, col: 17 });
    expect(y.pos(['hosts', 'web2', 'port'], { key: true })).toEqual({ line: 6, col: 11 });
    expect(y.pos(['hosts', 'web1', 'tags', 1])).toEqual({ line: 5, col: 15 });
    expect(y.pos(['list', 1, 'key'])).toEqual({ line: 9, col: 12 });
    expect(y.location(['name'])).toEqual({ file: 'site.yaml', line: 1, col: 7 });
  });

  it('falls back to the nearest enclosing node for a path that is not there', () => {
    expect(y.pos(['hosts', 'web2', 'user'])).toEqual({ line: 6, col: 9 });
    expect(y.pos(['nothing', 'here'])).toEqual({ line: 1, col: 1 });
  });

  it('makes ConfigErrors reading file:line:col: message', () => {
    const e = y.error(['hosts', 'web1', 'port'], 'port is wrong');
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toMatchObject({ file: 'site.yaml', line: 4, col: 11 });
    expect(e.message).toBe('site.yaml:4:11: port is wrong');
  });

  it('lists mapping keys in file order and tells mappings from sequences', () => {
    expect(y.keys([])).toEqual(['name', 'hosts', 'list']);
    expect(y.keys(['hosts'])).toEqual(['web1', 'web2']);
    expect(y.keys(['list'])).toEqual([]);
    expect(y.isMapping(['hosts'])).toBe(true);
    expect(y.isSequence(['list'])).toBe(true);
    expect(y.isMapping(['name'])).toBe(false);
  });

  it('honours << merge keys, and lists merged keys', () => {
    const m = YamlFile.parse('m.yaml', 'base: &b { user: root, port: 22 }\nhost:\n  <<: *b\n  port: 2222\n');
    expect(m.valueAt(['host'])).toEqual({ user: 'root', port: 2222 });
    expect(m.keys(['host'])).toEqual(['user', 'port']);
  });

  it('reports syntax errors and duplicate keys where they are', () => {
    expect(() => YamlFile.parse('bad.yaml', 'a: 1\nb: [1, 2\n')).toThrow(/^bad\.yaml:\d+:\d+: YAML syntax error: /);
    const dup = (() => {
      try {
        YamlFile.parse('dup.yaml', 'a: 1\nb: 2\na: 3\n');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(dup).toMatchObject({ file: 'dup.yaml', line: 3, col: 1 });
    expect(dup.message).toMatch(/^dup\.yaml:3:1: YAML duplicate key/);
    expect(() => YamlFile.parse('tab.yaml', 'a:\n\tb: 1\n')).toThrow(/^tab\.yaml:2:1: YAML syntax error/);
  });

  it('reads an empty document as null', () => {
    expect(YamlFile.parse('e.yaml', '# nothing\n').value()).toBeNull();
  });

  it('loads files, and names a file it cannot read', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fj-yaml-')), 'x.yaml');
    fs.writeFileSync(file, 'a: 1\n');
    expect(YamlFile.load(file).value()).toEqual({ a: 1 });
    expect(() => YamlFile.load(`${file}.missing`)).toThrow(`${file}.missing: cannot read: ENOENT`);
  });
});
