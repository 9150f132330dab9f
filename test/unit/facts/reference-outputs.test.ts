/** Parsers against real FreeBSD outputs from ../shared/freebsd-reference. */
import { describe, expect, it } from 'vitest';
import { parsePkgInfo, parsePkgVersion, splitNameVersion } from '../../../src/facts/pkg.js';
import { parseServiceEnabledList } from '../../../src/facts/service.js';
import { reference } from './reference.js';

describe('pkg output', () => {
  it('pkg info: name and version from the padded list', () => {
    const pkgs = parsePkgInfo(reference('pkg-info-01.txt'));
    expect(pkgs.size).toBe(33);
    expect(pkgs.get('ImageMagick')).toBe('6.8.9.4_1,1');
    expect(pkgs.get('autoconf-wrapper')).toBe('20131203');
    expect(pkgs.get('at-spi2-atk')).toBe('2.8.0');
    expect(pkgs.get('bash')).toBe('4.3.18_2');
  });

  it('pkg info -x: bare NAME-VERSION lines', () => {
    expect([...parsePkgInfo(reference('pkg-info-x-01.txt'))]).toEqual([['mkjail', '0.0.8']]);
  });

  it('pkg version -v: status and the index version', () => {
    const lines = parsePkgVersion(reference('pkg-version-01.txt'));
    expect(lines).toHaveLength(8);
    expect(lines[0]).toEqual({ name: 'chromium', installed: '72.0.3626.121_1', status: '<', available: '73.0.3683.103_1' });
    expect(lines.find((l) => l.name === 'gr-osmosdr')).toEqual({
      name: 'gr-osmosdr',
      installed: '0.1.4.99_4,1',
      status: '<',
      available: '0.1.4.99_6,1',
    });
    expect(parsePkgVersion('nginx-1.24.0_1,3                   =   up-to-date with index\n')).toEqual([
      { name: 'nginx', installed: '1.24.0_1,3', status: '=' },
    ]);
  });

  it('splits at the last dash', () => {
    expect(splitNameVersion('postgresql16-server-16.4')).toEqual({ name: 'postgresql16-server', version: '16.4' });
    expect(() => splitNameVersion('nodash')).toThrow(/NAME-VERSION/);
  });
});

describe('service output', () => {
  it('service -e: enabled services by script name', () => {
    const names = parseServiceEnabledList(reference('service-e-01.txt'));
    expect(names).toHaveLength(34);
    expect(names).toContain('sshd');
    expect(names).toContain('mysql-server');
    expect(names[0]).toBe('hostid');
  });
});
