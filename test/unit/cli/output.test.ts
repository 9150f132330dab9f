import { describe, expect, it } from 'vitest';
import { commandLine } from '../../../src/cli/adhoc-commands.js';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';
import { PrefixedLineWriter } from '../../../src/cli/host-output.js';

describe('exec command line', () => {
  it('takes one argument as a shell command line and several as a quoted argv', () => {
    expect(commandLine(['ls /etc | wc -l'])).toBe('ls /etc | wc -l');
    expect(commandLine(['printf', '%s', "it's $HOME"])).toBe("printf %s 'it'\\''s $HOME'");
  });
});

describe('exit codes', () => {
  it('are bit flags: 2 failed, 4 unreachable, 6 both', () => {
    expect(exitCodeFor(['ok', 'ok'])).toBe(0);
    expect(exitCodeFor(['ok', 'failed'])).toBe(2);
    expect(exitCodeFor(['unreachable', 'ok'])).toBe(4);
    expect(exitCodeFor(['failed', 'unreachable'])).toBe(6);
  });
});

describe('PrefixedLineWriter', () => {
  it('prints only whole lines, each with the host prefix, and flushes the rest', () => {
    const out: string[] = [];
    const w = new PrefixedLineWriter('h1 | ', (t) => out.push(t));
    w.push('par');
    w.push('tial\nsecond\nthi');
    w.flush();
    expect(out.join('')).toBe('h1 | partial\nh1 | second\nh1 | thi\n');
  });
});
