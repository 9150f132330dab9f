import { describe, expect, it } from 'vitest';
import {
  canonical,
  display,
  formatSize,
  parseSize,
  propertiesSchema,
  propertyDrift,
  type CurrentProperty,
} from '../../../src/modules/zfs/properties.js';

const props = (entries: Record<string, [string, string]>) =>
  new Map<string, CurrentProperty>(Object.entries(entries).map(([k, [value, source]]) => [k, { value, source }]));

describe('sizes', () => {
  it('reads zfs size notation: units in either case, optional B / iB, fractions of a unit', () => {
    expect(parseSize('10G')).toBe('10737418240');
    expect(parseSize('10g')).toBe('10737418240');
    expect(parseSize('10GB')).toBe('10737418240');
    expect(parseSize('10GiB')).toBe('10737418240');
    expect(parseSize('10737418240')).toBe('10737418240');
    expect(parseSize('128K')).toBe('131072');
    expect(parseSize('1.5T')).toBe(String(1.5 * 1024 ** 4));
    expect(parseSize('1E')).toBe((1024n ** 6n).toString());
    for (const bad of ['ten', '10X', '1.5', '-1G', '', '10 G B']) expect(parseSize(bad)).toBeUndefined();
  });

  it('formats bytes back with the largest exact unit', () => {
    expect(formatSize('10737418240')).toBe('10G');
    expect(formatSize('131072')).toBe('128K');
    expect(formatSize('1000')).toBe('1000');
    expect(formatSize('1536')).toBe('1536');
    expect(formatSize('0')).toBe('0');
  });

  it("brings the operator's and zfs get -Hp's forms of a value together", () => {
    expect(canonical('quota', '10G')).toBe(canonical('quota', '10737418240'));
    expect(canonical('quota', 'none')).toBe(canonical('quota', '0'));
    expect(canonical('userquota@ops', '1g')).toBe('1073741824');
    expect(canonical('recordsize', '128k')).toBe('131072');
    expect(canonical('filesystem_limit', 'none')).toBe('18446744073709551615');
    expect(canonical('mountpoint', '/usr/jails/')).toBe('/usr/jails');
    expect(canonical('mountpoint', '/')).toBe('/');
    expect(canonical('compression', 'lz4')).toBe('lz4');
    expect(display('quota', '0')).toBe('none');
    expect(display('quota', '10737418240')).toBe('10G');
    expect(display('filesystem_limit', '18446744073709551615')).toBe('none');
  });
});

describe('propertyDrift', () => {
  it('equal values in other notations are no drift', () => {
    const current = props({
      quota: ['10737418240', 'local'],
      recordsize: ['131072', 'local'],
      atime: ['off', 'local'],
      'com.example:role': ['web', 'local'],
    });
    expect(propertyDrift({ quota: '10g', recordsize: '128K', atime: 'off', 'com.example:role': 'web' }, current)).toEqual([]);
  });

  it('reports each differing property with before and after in readable form', () => {
    const current = props({ quota: ['5368709120', 'local'], compression: ['off', 'default'] });
    expect(propertyDrift({ quota: '10G', compression: 'lz4' }, current)).toEqual([
      { property: 'quota', value: '10G', before: '5G', after: '10G' },
      { property: 'compression', value: 'lz4', before: 'off (default)', after: 'lz4' },
    ]);
  });

  it('an inheritable property equal only by inheritance or default is set locally (pinned)', () => {
    const current = props({ compression: ['on', 'inherited from zroot'], atime: ['on', 'default'] });
    expect(propertyDrift({ compression: 'on', atime: 'on' }, current)).toEqual([
      { property: 'compression', value: 'on', before: 'on (inherited from zroot)', after: 'on' },
      { property: 'atime', value: 'on', before: 'on (default)', after: 'on' },
    ]);
  });

  it('a property that cannot be inherited compares by value: quota none is the default', () => {
    expect(propertyDrift({ quota: 'none', canmount: 'on' }, props({ quota: ['0', 'default'], canmount: ['on', 'default'] }))).toEqual([]);
    expect(propertyDrift({ quota: 'none' }, props({ quota: ['1073741824', 'local'] }))).toEqual([
      { property: 'quota', value: 'none', before: '1G', after: 'none' },
    ]);
  });

  it('an unset user property has no before value', () => {
    expect(propertyDrift({ 'com.example:role': 'db' }, props({}))).toEqual([
      { property: 'com.example:role', value: 'db', before: null, after: 'db' },
    ]);
    expect(propertyDrift({ 'com.example:role': 'db' }, props({ 'com.example:role': ['-', '-'] }))).toEqual([
      { property: 'com.example:role', value: 'db', before: null, after: 'db' },
    ]);
  });
});

describe('properties argument', () => {
  it('accepts YAML scalars: booleans are on/off, numbers their decimal text', () => {
    expect(propertiesSchema.parse({ atime: false, exec: true, quota: 10737418240, 'com.example:n': 3 })).toEqual({
      atime: 'off',
      exec: 'on',
      quota: '10737418240',
      'com.example:n': '3',
    });
  });

  it('refuses bad names, read-only properties, non-sizes and tabs', () => {
    const bad = (p: Record<string, unknown>) => propertiesSchema.safeParse(p);
    expect(bad({ Compression: 'on' }).success).toBe(false);
    expect(bad({ 'has space': 'x' }).success).toBe(false);
    expect(bad({ used: '1G' }).error?.issues[0]?.message).toMatch(/read-only/);
    expect(bad({ quota: '10 gigs' }).error?.issues[0]?.message).toMatch(/not a size/);
    expect(bad({ 'com.example:x': 'a\tb' }).error?.issues[0]?.message).toMatch(/tabs/);
    expect(bad({ 'userquota@ops': '1G', 'com.example:x': 'y', quota: 'none' }).success).toBe(true);
  });
});
