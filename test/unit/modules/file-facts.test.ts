/** The shared file fact script, run by a local sh (with FreeBSD's sha256 and stat stood in for). */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileStateQuery, MAX_CONTENT_BYTES } from '../../../src/modules/kit/file-facts.js';
import { sha256Hex } from '../../../src/util/digest.js';
import { HOST } from '../../../src/modules/kit/target.js';
import { LocalHost } from '../engine/support/local-host.js';

async function state(h: LocalHost, rel: string, content = false, metadata = true) {
  const q = fileStateQuery(HOST, h.p(rel), { content, metadata });
  const r = await h.run(q.script);
  return q.parse({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 });
}

describe('file facts on a real file system', () => {
  const h = new LocalHost();
  fs.writeFileSync(h.p('conf'), 'a=1\nno newline');
  fs.chmodSync(h.p('conf'), 0o640);
  fs.mkdirSync(h.p('dir'));
  fs.chmodSync(h.p('dir'), 0o1777);
  fs.symlinkSync('/nowhere', h.p('link'));

  it('a regular file: type, mode, owner, checksum; content exactly when asked', async () => {
    const s = await state(h, 'conf', true);
    expect(s).toMatchObject({
      type: 'file',
      mode: '0640',
      uid: String(process.getuid?.()),
      sha256: sha256Hex('a=1\nno newline'),
      content: 'a=1\nno newline',
    });
    expect((await state(h, 'conf')).content).toBeUndefined();
  });

  it('directories, dangling symlinks and absent paths', async () => {
    expect(await state(h, 'dir')).toMatchObject({ type: 'directory', mode: '1777' });
    expect(await state(h, 'link')).toMatchObject({ type: 'link', linkTarget: '/nowhere' });
    expect(await state(h, 'missing')).toEqual({ type: 'absent' });
  });

  it('a path with spaces and quotes', async () => {
    fs.writeFileSync(h.p(`it's here`), 'x');
    expect((await state(h, `it's here`)).sha256).toBe(sha256Hex('x'));
  });

  it('text only (sysrc, line): type and content, no stat and no checksum', async () => {
    expect(await state(h, 'conf', true, false)).toEqual({ type: 'file', content: 'a=1\nno newline' });
    fs.writeFileSync(h.p('empty'), '');
    expect(await state(h, 'empty', true, false)).toEqual({ type: 'file', content: '' });
    expect(await state(h, 'missing', true, false)).toEqual({ type: 'absent' });
    expect(await state(h, 'dir', true, false)).toEqual({ type: 'directory' });
    const q = fileStateQuery(HOST, '/etc/rc.conf', { content: true, metadata: false });
    expect(q.script).not.toMatch(/stat|sha256/);
    expect(q.key).not.toBe(fileStateQuery(HOST, '/etc/rc.conf', { content: true }).key);
  });

  it('larger files: no content, with or without metadata', async () => {
    fs.writeFileSync(h.p('big'), 'x'.repeat(MAX_CONTENT_BYTES + 1));
    expect((await state(h, 'big', true)).content).toBeUndefined();
    expect(await state(h, 'big', true, false)).toEqual({ type: 'file' });
  });
});
