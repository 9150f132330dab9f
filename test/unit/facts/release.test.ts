import { describe, expect, it } from 'vitest';
import { parseFreebsdUpdateFetch, parseFreebsdVersion, parseManifest, parseZfsGet } from '../../../src/facts/release.js';
import { reference } from './reference.js';

const SUM = (c: string) => c.repeat(64);

describe('parseManifest', () => {
  it("reads FreeBSD's tab-separated MANIFEST lines", () => {
    const text = [
      `base-dbg.txz\t${SUM('a')}\t1234\tbase_dbg\t"Base system (Debugging)"\toff`,
      `base.txz\t${SUM('b')}\t28863\tbase\t"Base system (MANDATORY)"\ton`,
      `lib32.txz\t${SUM('c')}\t1025\tlib32\t"32-bit compatibility libraries"\ton`,
      '',
    ].join('\n');
    const m = parseManifest(text);
    expect([...m.keys()]).toEqual(['base-dbg.txz', 'base.txz', 'lib32.txz']);
    expect(m.get('base.txz')).toEqual({
      file: 'base.txz',
      sha256: SUM('b'),
      entries: 28863,
      set: 'base',
      description: 'Base system (MANDATORY)',
      default: true,
    });
    expect(m.get('base-dbg.txz')?.default).toBe(false);
  });

  it('refuses what is not a MANIFEST (an HTML error page, a truncated line, nothing)', () => {
    expect(() => parseManifest('<html><body>Not Found</body></html>\n')).toThrow(/MANIFEST line 1 is not/);
    expect(() => parseManifest(`base.txz\t${SUM('b')}\n`)).toThrow(/MANIFEST line 1/);
    expect(() => parseManifest(`base.txz\tnotasum\t1\tbase\t"x"\ton\n`)).toThrow(/MANIFEST line 1/);
    expect(() => parseManifest('\n')).toThrow('MANIFEST is empty');
  });
});

describe('parseFreebsdVersion', () => {
  it('reads the versions of the reference outputs', () => {
    expect(parseFreebsdVersion(reference('freebsd-version-01.txt'))).toEqual({
      version: '14.1-RELEASE-p8',
      release: '14.1-RELEASE',
      patch: 8,
    });
    expect(parseFreebsdVersion(reference('freebsd-version-02.txt'))).toEqual({
      version: '11.0-RELEASE-p10',
      release: '11.0-RELEASE',
      patch: 10,
    });
    expect(parseFreebsdVersion(reference('freebsd-version-u-01.txt')).patch).toBe(8);
    expect(parseFreebsdVersion(reference('freebsd-version-k-01.txt')).patch).toBe(7);
    // -kru: three lines; the first is read
    expect(parseFreebsdVersion(reference('freebsd-version-kru-01.txt')).version).toBe('13.2-RELEASE-p8');
  });

  it('a release without patches is patch level 0; other strings are refused', () => {
    expect(parseFreebsdVersion('14.2-RELEASE\n')).toEqual({ version: '14.2-RELEASE', release: '14.2-RELEASE', patch: 0 });
    expect(parseFreebsdVersion('15.0-RC1')).toEqual({ version: '15.0-RC1', release: '15.0-RC1', patch: 0 });
    expect(() => parseFreebsdVersion('freebsd-version: unable to locate kernel')).toThrow(/not a FreeBSD version/);
    expect(() => parseFreebsdVersion('')).toThrow(/not a FreeBSD version/);
  });
});

describe('parseFreebsdUpdateFetch', () => {
  it('"No updates needed" is the current patch level (reference outputs)', () => {
    expect(parseFreebsdUpdateFetch(reference('freebsd-update-fetch-install-01.txt'))).toEqual({
      pending: false,
      version: '13.1-RELEASE-p1',
    });
    expect(parseFreebsdUpdateFetch(reference('freebsd-update-fetch-install-02.txt'))).toEqual({
      pending: false,
      version: '13.1-RELEASE-p0',
    });
  });

  it('"The following files will be updated" is a pending update to that version (iocage\'s fetch output)', () => {
    expect(parseFreebsdUpdateFetch(reference('freebsd-update-b-01.txt'))).toEqual({ pending: true, version: '11.2-RELEASE-p9', files: [] });
    const out = [
      'src component not installed, skipped',
      'Inspecting system... done.',
      '',
      'The following files will be removed as part of updating to',
      '14.2-RELEASE-p4:',
      '/usr/lib/old.so',
      '',
      'The following files will be updated as part of updating to',
      '14.2-RELEASE-p4:',
      '/bin/freebsd-version',
      '/boot/kernel/kernel',
      '',
    ].join('\n');
    expect(parseFreebsdUpdateFetch(out)).toEqual({
      pending: true,
      version: '14.2-RELEASE-p4',
      files: ['/usr/lib/old.so', '/bin/freebsd-version', '/boot/kernel/kernel'],
    });
  });

  it('anything else is an error naming the last lines', () => {
    expect(() => parseFreebsdUpdateFetch(reference('freebsd-update-upgrade-01.txt'))).toThrow(/has incorrect hash\.$/);
    expect(() => parseFreebsdUpdateFetch(reference('freebsd-update-error-01.txt'))).toThrow(/incompatible with the use of packaged base/);
    expect(() => parseFreebsdUpdateFetch('')).toThrow('freebsd-update fetch gave no answer');
  });
});

describe('parseZfsGet', () => {
  it('reads -H lines by property', () => {
    const p = parseZfsGet('zroot/t\tmountpoint\t/usr/jails/t\tlocal\nzroot/t\tmounted\tyes\t-\n');
    expect(p.get('mountpoint')).toEqual({ name: 'zroot/t', value: '/usr/jails/t', source: 'local' });
    expect(p.get('mounted')?.value).toBe('yes');
    expect(() => parseZfsGet('zroot/t mountpoint /x local\n')).toThrow(/not a 'zfs get -H' line/);
  });
});
