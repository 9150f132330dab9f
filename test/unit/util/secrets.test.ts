import { describe, expect, it } from 'vitest';
import { MASK, Secrets, isPrivateMode } from '../../../src/util/secrets.js';
import { escapeControls, escapeLine } from '../../../src/util/terminal-text.js';
import { messageOf } from '../engine/support/playbook.js';

describe('Secrets.mask', () => {
  it('masks every occurrence, inside longer strings too', () => {
    const s = new Secrets();
    s.declare('hunter22', 'db_password');
    expect(s.mask('PGPASSWORD=hunter22 psql; echo hunter22hunter22')).toBe(`PGPASSWORD=${MASK} psql; echo ${MASK}${MASK}`);
    expect(s.mask('nothing here')).toBe('nothing here');
  });

  it('masks the longer of two overlapping secrets whole, and regex characters literally', () => {
    const s = new Secrets();
    s.declare('abcd', 'a');
    s.declare('xxabcdyy', 'b');
    s.declare('a.b*(c)', 'c');
    expect(s.mask('xxabcdyy abcd a.b*(c) aXb')).toBe(`${MASK} ${MASK} ${MASK} aXb`);
  });

  it('refuses declared secrets shorter than 4 characters, and ignores derived ones that short', () => {
    const s = new Secrets();
    expect(messageOf(() => s.declare('abc', 'vars.yaml.age:2:5'))).toBe(
      'vars.yaml.age:2:5: a secret needs at least 4 characters (shorter ones cannot be masked reliably)',
    );
    s.add('ab');
    expect(s.size).toBe(0);
    expect(s.mask('ab')).toBe('ab');
  });

  it('masks a multi-line secret line by line as well (a diff shows lines)', () => {
    const s = new Secrets();
    s.declare('-----BEGIN KEY-----\nMIIBVgIBADANBg\n-----END KEY-----', 'key');
    expect(s.mask('+MIIBVgIBADANBg')).toBe(`+${MASK}`);
  });

  it("a rendered file is masked line by line, except the lines that are the template's own text", () => {
    const s = new Secrets();
    s.add('# written by fleetjail\npass = HUNTER22\n', '# written by fleetjail\npass = {{ pw | upcase }}\n');
    expect(s.mask('# written by fleetjail')).toBe('# written by fleetjail');
    expect(s.mask('+pass = HUNTER22')).toBe(`+${MASK}`);
  });

  it('maskDeep masks every string of plain data, never its keys, without changing the original', () => {
    const s = new Secrets();
    s.declare('s3cr3t!', 'p');
    const data = { a: ['x s3cr3t!', 1, null], b: { 's3cr3t!': 's3cr3t!' } };
    expect(s.maskDeep(data)).toEqual({ a: [`x ${MASK}`, 1, null], b: { 's3cr3t!': MASK } });
    expect(data.a[0]).toBe('x s3cr3t!');
  });

  it('knows no_log steps (and their loop items) and hidden files per host', () => {
    const s = new Secrets();
    s.markNoLog('steps[2]');
    expect([s.isNoLog('steps[2]'), s.isNoLog('steps[2][0]'), s.isNoLog('steps[20]'), s.isNoLog('steps[1]')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    s.hideFile('h1', '/etc/secret');
    expect([s.isFileHidden('h1', '/etc/secret'), s.isFileHidden('h2', '/etc/secret')]).toEqual([true, false]);
  });

  it('private modes are those without group or other read', () => {
    expect(['0600', '600', '0400', '0700', '0620'].map(isPrivateMode)).toEqual([true, true, true, true, true]);
    expect(['0640', '0644', '0604', 'rw'].map(isPrivateMode)).toEqual([false, false, false, false]);
  });
});

describe('escaping host text for the terminal', () => {
  it('shows ESC, CR, other C0/C1 controls and DEL instead of obeying them', () => {
    expect(escapeControls('\x1b[2J\x1b]0;owned\x07title')).toBe('\\x1b[2J\\x1b]0;owned\\x07title');
    expect(escapeControls('ok\rh2 | forged')).toBe('ok\\rh2 | forged');
    expect(escapeControls('a\x00b\x08c\x7fd\x9be')).toBe('a\\x00b\\x08c\\x7fd\\x9be');
  });

  it('shows the bidi embeddings, overrides and isolates', () => {
    expect(escapeControls('abc\u202edcb\u2066x\u2069\u202a')).toBe('abc\\u202edcb\\u2066x\\u2069\\u202a');
  });

  it('keeps tabs, newlines and ordinary text (accents, CJK) as they are; escapeLine escapes newlines', () => {
    expect(escapeControls('a\tb\nc é 中文')).toBe('a\tb\nc é 中文');
    expect(escapeLine('one\ntwo\x1b')).toBe('one\\ntwo\\x1b');
  });
});
