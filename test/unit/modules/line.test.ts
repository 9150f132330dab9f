import { describe, expect, it } from 'vitest';
import { editLines, line, type LineArgs } from '../../../src/modules/files/line.js';
import { ABSENT, ctx, plan, scripts, textFile } from './support.js';

const edit = (text: string, args: Record<string, unknown>) => editLines(text, line.args.parse({ path: '/f', ...args }) as LineArgs);

describe('line', () => {
  it('appends a missing line, and leaves a file that has it alone', () => {
    expect(edit('a\nb\n', { line: 'c' })).toBe('a\nb\nc\n');
    expect(edit('a\nb\n', { line: 'b' })).toBe('a\nb\n');
    expect(edit('a\nb', { line: 'c' })).toBe('a\nb\nc\n');
    expect(edit('a\nb', { line: 'b' })).toBe('a\nb');
    expect(edit('', { line: 'x' })).toBe('x\n');
  });

  it('replaces the last line matching regexp', () => {
    expect(edit('server a\nx\nserver b\n', { line: 'server c', regexp: '^server ' })).toBe('server a\nx\nserver c\n');
    expect(edit('server c\n', { line: 'server c', regexp: '^server ' })).toBe('server c\n');
  });

  it('inserts after the last / before the first matching line', () => {
    expect(edit('# a\nx\n# b\ny\n', { line: 'new', insert_after: '^#' })).toBe('# a\nx\n# b\nnew\ny\n');
    expect(edit('# a\nx\n# b\ny\n', { line: 'new', insert_before: '^#' })).toBe('new\n# a\nx\n# b\ny\n');
    expect(edit('a\n', { line: 'new', insert_after: '^zzz' })).toBe('a\nnew\n');
  });

  it('removes every matching line', () => {
    expect(edit('a\nsecret=1\nb\nsecret=2\n', { regexp: '^secret=', state: 'absent' })).toBe('a\nb\n');
    expect(edit('a\nb\n', { line: 'b', state: 'absent' })).toBe('a\n');
    expect(edit('a\nb\n', { line: 'c', state: 'absent' })).toBe('a\nb\n');
  });

  it('plans one atomic write with a unified diff, or nothing', () => {
    const changes = plan(
      line,
      { path: '/etc/hosts', line: '10.0.0.1 mirror' },
      { file: textFile('127.0.0.1 localhost\n') },
      ctx(undefined, { diff: true }),
    );
    expect(plan(line, { path: '/etc/hosts', line: '10.0.0.1 mirror' }, { file: textFile('127.0.0.1 localhost\n') })[0]?.diff).toEqual([]);
    expect(changes[0]?.action).toMatchObject({ kind: 'edit', path: '/etc/hosts', base: '127.0.0.1 localhost\n' });
    expect(scripts(changes)).toEqual(['EDIT /etc/hosts +10.0.0.1 mirror']);
    expect(changes[0]?.diff?.[0]).toMatchObject({ type: 'file', unified: expect.stringContaining('+10.0.0.1 mirror') });
    expect(plan(line, { path: '/etc/hosts', line: 'x' }, { file: textFile('x\n') })).toEqual([]);
  });

  it('a missing file is an error unless create: true', () => {
    expect(() => plan(line, { path: '/etc/x', line: 'a' }, { file: ABSENT })).toThrow(/create: true/);
    expect(plan(line, { path: '/etc/x', line: 'a', create: true }, { file: ABSENT })[0]?.action).toMatchObject({
      kind: 'edit',
      base: null,
    });
    expect(scripts(plan(line, { path: '/etc/x', line: 'a', create: true }, { file: ABSENT }))).toEqual(['EDIT /etc/x +a']);
    expect(plan(line, { path: '/etc/x', line: 'a', state: 'absent' }, { file: ABSENT })).toEqual([]);
  });

  it('validates its arguments', () => {
    expect(line.args.safeParse({ path: '/f' }).success).toBe(false);
    expect(line.args.safeParse({ path: '/f', line: 'a\nb' }).success).toBe(false);
    expect(line.args.safeParse({ path: '/f', line: 'a', regexp: '(' }).success).toBe(false);
    expect(line.args.safeParse({ path: '/f', line: 'a', insert_after: 'x', insert_before: 'y' }).success).toBe(false);
  });
});
