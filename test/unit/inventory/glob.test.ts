import { describe, expect, it } from 'vitest';
import { globToRegExp, hasWildcard } from '../../../src/inventory/glob.js';

describe('globs', () => {
  it('translates * ? and classes, and nothing else', () => {
    expect(globToRegExp('web*.example.net').test('web12.example.net')).toBe(true);
    expect(globToRegExp('web*.example.net').test('web12xexample.net')).toBe(false);
    expect(globToRegExp('db?').test('db10')).toBe(false);
    expect(globToRegExp('db[0-4]').test('db3')).toBe(true);
    expect(globToRegExp('db[!0-4]').test('db3')).toBe(false);
    expect(globToRegExp('a+(b)|c$').test('a+(b)|c$')).toBe(true);
    expect(globToRegExp('x[').test('x[')).toBe(true);
  });

  it('can leave brackets literal and ignore case, as OpenSSH host patterns do', () => {
    expect(globToRegExp('[10.0.0.1]:2222', { classes: false }).test('[10.0.0.1]:2222')).toBe(true);
    expect(globToRegExp('WEB*', { ignoreCase: true }).test('web1')).toBe(true);
    expect(hasWildcard('db[1]')).toBe(true);
    expect(hasWildcard('db[1]', { classes: false })).toBe(false);
  });
});
