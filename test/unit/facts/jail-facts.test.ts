import { describe, expect, it } from 'vitest';
import { parseJlsJson, parseJlsParamLine } from '../../../src/facts/jail-jls.js';
import { comparePatch, parseFreebsdVersion } from '../../../src/facts/jail-version.js';
import { parseJailState } from '../../../src/facts/jail-state.js';
import { reference } from './reference.js';

describe('jls -n', () => {
  it('reads the reference line: values, quoted values, booleans and no-booleans', () => {
    const p = parseJlsParamLine(reference('jls-n-01.txt').trim());
    expect(p.get('name')).toBe('sample-server');
    expect(p.get('jid')).toBe('53');
    expect(p.get('path')).toBe('/opt/pot/jails/sample-server/m');
    expect(p.get('host.domainname')).toBe('');
    expect(p.get('osrelease')).toBe('13.0-RELEASE-p3');
    expect(p.get('persist')).toBe(true);
    expect(p.get('dying')).toBe(false);
    expect(p.get('allow.raw_sockets')).toBe(true);
    expect(p.get('allow.mount')).toBe(false);
    expect(p.get('allow.mount.devfs')).toBe(false);
    expect(p.get('ip4.addr')).toBe('10.0.0.2');
    expect(p.get('ip6.addr')).toBe('');
  });

  it('unescapes quoted values with blanks', () => {
    const p = parseJlsParamLine('name=a path="/j/with space" host.hostname="say \\"hi\\""');
    expect(p.get('path')).toBe('/j/with space');
    expect(p.get('host.hostname')).toBe('say "hi"');
  });
});

describe('jls --libxo json', () => {
  it("reads the handbook's output", () => {
    expect(parseJlsJson(reference('jls-libxo-json-01.txt'))).toEqual([
      { jid: 1, ipv4: '192.168.250.70', hostname: 'classic', path: '/usr/local/jails/containers/classic' },
    ]);
  });

  it('refuses what is not jls JSON', () => {
    expect(() => parseJlsJson('JID IP')).toThrow(/not JSON/);
    expect(() => parseJlsJson('{"x":1}')).toThrow(/jail-information/);
    expect(parseJlsJson('{"__version": "2", "jail-information": {"jail": []}}')).toEqual([]);
  });
});

describe('freebsd-version', () => {
  it('parses the reference outputs and compares patch levels within a release', () => {
    const v = parseFreebsdVersion(reference('freebsd-version-01.txt'));
    expect(v).toEqual({ release: '14.1-RELEASE', patch: 8, text: '14.1-RELEASE-p8' });
    expect(parseFreebsdVersion('14.2-RELEASE')).toMatchObject({ patch: 0 });
    expect(parseFreebsdVersion('15.0-CURRENT').release).toBe('15.0-CURRENT');
    expect(comparePatch(parseFreebsdVersion('14.2-RELEASE-p3'), parseFreebsdVersion('14.2-RELEASE-p4'))).toBe(-1);
    expect(comparePatch(parseFreebsdVersion('14.2-RELEASE-p4'), parseFreebsdVersion('14.2-RELEASE-p4'))).toBe(0);
    expect(comparePatch(parseFreebsdVersion('14.2-RELEASE'), parseFreebsdVersion('14.3-RELEASE'))).toBeUndefined();
    expect(() => parseFreebsdVersion('Linux')).toThrow(/not a FreeBSD version/);
  });
});

describe('the jail state fact', () => {
  it('parses a running thin-nullfs jail', () => {
    const st = parseJailState(
      [
        'jls jid=4 name=dev path=/usr/jails/dev vnet=new persist',
        'root directory',
        'rootver 14.2-RELEASE-p3',
        'template directory /usr/jails/templates/14.2',
        'tplver 14.2-RELEASE-p3',
        'skeleton yes',
        'stamp 14.2-RELEASE',
        '',
      ].join('\n'),
    );
    expect(st).toMatchObject({
      running: true,
      root: 'directory',
      rootVersion: '14.2-RELEASE-p3',
      template: 'directory',
      templateDir: '/usr/jails/templates/14.2',
      skeleton: true,
      stamp: '14.2-RELEASE',
    });
    expect(st.params?.get('path')).toBe('/usr/jails/dev');
  });

  it('parses a jail that does not exist yet, and refuses garbage', () => {
    expect(parseJailState('jls -\nroot absent\nrootver -\ntemplate absent\ntplver -\nsnapshot no\ndataset no\n')).toEqual({
      running: false,
      root: 'absent',
      template: 'absent',
      snapshot: false,
      dataset: false,
    });
    expect(() => parseJailState('root absent\n')).toThrow(/incomplete/);
    expect(() => parseJailState('jls -\nroot maybe\n')).toThrow(/unexpected root state/);
    expect(() => parseJailState('jls -\nroot absent\nsnapshot perhaps\n')).toThrow(/unexpected snapshot value/);
  });
});
