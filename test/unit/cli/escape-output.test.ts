import { describe, expect, it } from 'vitest';
import { PrefixedLineWriter } from '../../../src/cli/host-output.js';

describe('exec output on the terminal', () => {
  it("a host cannot clear the screen, set the title or forge another host's line", () => {
    let out = '';
    const w = new PrefixedLineWriter('h1 | ', (t) => (out += t));
    w.push('\x1b[2J\x1b]0;owned\x07fine\n');
    w.push('line\rh2 | forged\u202e\n');
    w.push('partial\x1b[1A');
    w.flush();
    expect(out).toBe('h1 | \\x1b[2J\\x1b]0;owned\\x07fine\nh1 | line\\rh2 | forged\\u202e\nh1 | partial\\x1b[1A\n');
  });
});
