import { describe, expect, it } from 'vitest';
import { parseFileState, parseStatLine } from '../../../src/facts/file-state.js';
import { parseServiceRcvar } from '../../../src/facts/service.js';
import { parseJailPath } from '../../../src/facts/jls.js';

describe('file state', () => {
  it('reads a regular file with its content, byte for byte', () => {
    const sha = 'a'.repeat(64);
    expect(parseFileState(`type file\nstat 0644 0 0 root wheel 12\nsha256 ${sha}\ncontent\nline\nno eol`)).toEqual({
      type: 'file',
      mode: '0644',
      uid: '0',
      gid: '0',
      owner: 'root',
      group: 'wheel',
      size: 12,
      sha256: sha,
      content: 'line\nno eol',
    });
  });

  it('reads links, directories and absent paths', () => {
    expect(parseFileState('type link\nstat 0755 0 0 root wheel 11\ntarget /usr/share/zoneinfo/UTC\n')).toMatchObject({
      type: 'link',
      linkTarget: '/usr/share/zoneinfo/UTC',
    });
    expect(parseFileState('type directory\nstat 1777 0 0 root wheel 512\n')).toMatchObject({ type: 'directory', mode: '1777' });
    expect(parseFileState('type absent\n')).toEqual({ type: 'absent' });
  });

  it('refuses output it does not understand', () => {
    expect(() => parseFileState('')).toThrow(/no file state/);
    expect(() => parseFileState('type fifo\n')).toThrow(/unexpected file type/);
    expect(() => parseFileState('type file\nsha256 xyz\n')).toThrow(/sha256/);
    expect(() => parseStatLine('stat: /x: No such file or directory')).toThrow(/stat output/);
  });

  it('pads three-digit modes', () => {
    expect(parseStatLine('644 1001 1001 ops ops 3').mode).toBe('0644');
  });
});

describe('service rcvar', () => {
  it("reads rc.subr's rcvar listing", () => {
    expect(parseServiceRcvar('# sshd\n#\nsshd_enable="YES"\n#   (default: "")\n\n')).toEqual({ rcvar: 'sshd_enable', value: 'YES' });
    expect(parseServiceRcvar('# nginx : Nginx web server\n#\nnginx_enable="NO"\n#   (default: "")\n')).toEqual({
      rcvar: 'nginx_enable',
      value: 'NO',
    });
  });

  it('scripts without an rcvar, and missing scripts', () => {
    expect(parseServiceRcvar('# hostid\n#\n\n')).toEqual({});
    expect(
      parseServiceRcvar(
        'nosuch does not exist in /etc/rc.d or the local startup\ndirectories (/usr/local/etc/rc.d), or is not executable\n',
      ),
    ).toBeUndefined();
  });
});

describe('jls path', () => {
  it('one absolute path', () => {
    expect(parseJailPath('/usr/jails/www\n')).toBe('/usr/jails/www');
    expect(parseJailPath('/\n')).toBe('/');
    expect(() => parseJailPath('jls: jail "x" not found\n')).toThrow(/jls output/);
  });
});
