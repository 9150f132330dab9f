/**
 * Issue #11, second hostile pass: secrets were masked by their literal value only, while
 * fleetjail itself quotes them (sh '\'', jail.conf and rc.conf \" \\ \$, fstab \040, JSON), so
 * the quoted form it printed (an rc.conf check's text in an error, a jail.conf diff) showed a
 * secret with a quote in it. And what a no_log step printed ("changed") became a secret masking
 * that word everywhere, the JSON report's field names included. Both held here directly,
 * whatever the modules print (the lab half: test/integration/security/hostile-output.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { MASK, Secrets, looksLikeSecret } from '../../../src/util/secrets.js';
import { sh, shq } from '../../../src/shell/quote.js';
import { confString } from '../../../src/modules/jail/conf.js';
import { rcQuote } from '../../../src/modules/kit/rc-conf-edit.js';
import { fstabField } from '../../../src/modules/jail/conf.js';
import { escapeControls } from '../../../src/util/terminal-text.js';
import { resolveVars } from '../../../src/playbook/vars.js';
import { Templater } from '../../../src/playbook/template.js';

const SECRETS = ["it's-a-s3cret-value", 'pw"with-quote-77', 'back\\slash$dollar`tick', 'two words\there', 'mix\'"\\$`all-9'];

/** Every form fleetjail's quoting functions (and their nestings) give a value. */
function quotedForms(v: string): Record<string, string> {
  const forms: Record<string, string> = {
    shq: shq(v),
    'sh in a command': sh`[ "$fj_v" = ${v} ]`,
    'jail.conf': confString(v),
    'jail.conf literal': confString(v, true),
    'rc.conf': rcQuote(v),
    JSON: JSON.stringify(v),
    'jail.conf of a shell command': confString(sh`/usr/local/bin/notify --key=${v}`, true),
    'JSON of a shell command': JSON.stringify(sh`cmd ${v}`),
    'JSON of jail.conf of sh': JSON.stringify(confString(sh`cmd ${`--key=${v}`}`, true)),
    'sh of sh': shq(sh`echo ${v}`),
    terminal: escapeControls(v),
  };
  if (!/[\n\x00-\x1f]/.test(v)) forms.fstab = fstabField(v);
  return forms;
}

describe('secrets are masked in the forms fleetjail quoted them into', () => {
  for (const secret of SECRETS) {
    it(`${JSON.stringify(secret)}: every quoted form is masked, nothing of the secret's long pieces is left`, () => {
      const s = new Secrets();
      s.declare(secret, 'token');
      for (const [how, form] of Object.entries(quotedForms(secret))) {
        const shown = s.mask(`error: ${form} failed`);
        expect(shown, how).toContain(MASK);
        for (const piece of secret.split(/['"\\$`\s]/).filter((p) => p.length >= 5)) expect(shown, `${how}: ${shown}`).not.toContain(piece);
      }
    });
  }

  it('a derived string (a template that embedded the secret) is masked in its quoted forms too', () => {
    const s = new Secrets();
    s.add('--key=pw"with-quote-77');
    expect(s.mask(`exec.poststart = ${confString('/bin/notify --key=pw"with-quote-77')};`)).toBe(`exec.poststart = "/bin/notify ${MASK}";`);
  });

  it("a declared secret's pieces between quotes are masked alone only when they look like a secret", () => {
    const s = new Secrets();
    s.declare("it's-a-s3cret-value", 'token');
    // An unknown quoting that breaks the secret apart ('"'"'): the long piece is still masked...
    expect(s.mask(`'it'"'"'s-a-s3cret-value'`)).not.toContain('s3cret');
    // ...and its short piece "it" masks nothing else.
    expect(s.mask('it is what it is')).toBe('it is what it is');
  });

  it('plain text around the secret is left alone; a secret that only resembles the text does not match', () => {
    const s = new Secrets();
    s.declare('ab"cd-e', 'token');
    expect(s.mask('ab cd-e and abXcd-e, ab\\"cd-e')).toBe(`ab cd-e and abXcd-e, ${MASK}`);
  });
});

describe('what a no_log step produced is masked everywhere only where it looks like a secret', () => {
  it('common words, numbers and short lines are not secrets; generated tokens and long lines are', () => {
    expect(['changed', 'ok', '0', 'done', 'finished', 'password', '  yes  '].map(looksLikeSecret)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['s3cret-value', 'Zm9vYmFyYmF6', 'correcthorsebatterystaple', 'a long line of plain words'].map(looksLikeSecret)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it("a registered no_log output 'changed' masks nothing; a token it printed is masked", () => {
    const s = new Secrets();
    s.taint('setup', true);
    const templater = new Templater();
    const registered = {
      setup: {
        changed: true,
        rc: 0,
        stdout: 'changed\nZm9vYmFy-9xq2',
        stdout_lines: ['changed', 'Zm9vYmFy-9xq2'],
        msg: 'run: echo changed',
      },
    };
    resolveVars(
      templater,
      [
        { vars: registered, locate: (n) => n },
        { vars: { token_copy: '{{ setup.stdout_lines[1] }}' }, locate: (n) => n },
      ],
      new Set(),
      s,
    );
    expect(s.mask('changed: 1, ok: 0')).toBe('changed: 1, ok: 0');
    expect(s.mask('token Zm9vYmFy-9xq2')).toBe(`token ${MASK}`);
    expect(s.isDeclaredSecret('token_copy')).toBe(false);
  });

  it('a value computed from a declared secret stays masked at 4 characters, even through a no_log variable', () => {
    const s = new Secrets();
    const templater = new Templater();
    resolveVars(
      templater,
      [
        { vars: { pw: 'abcd' }, locate: (n) => n, secret: true },
        { vars: { shout: '{{ pw | upcase }}' }, locate: (n) => n },
      ],
      new Set(),
      s,
    );
    expect(s.mask('ABCD abcd')).toBe(`${MASK} ${MASK}`);
  });

  it("maskDeep keeps fleetjail's structure: keys, statuses, modules, ids and numbers", () => {
    const s = new Secrets();
    s.declare('changed', 'a secret that is a common word');
    s.declare('command', 'another');
    const host = {
      status: 'changed',
      changed: 2,
      steps: [{ id: 'steps[0]', module: 'command', status: 'changed', changes: ['ran: command changed'] }],
    };
    expect(s.maskDeep(host)).toEqual({
      status: 'changed',
      changed: 2,
      steps: [{ id: 'steps[0]', module: 'command', status: 'changed', changes: [`ran: ${MASK} ${MASK}`] }],
    });
  });
});

describe('masking stays linear on hostile text', () => {
  it("a host printing a megabyte of quotes and backslashes after a secret's prefix costs milliseconds", () => {
    const s = new Secrets();
    s.declare("it's-a-s3cret-value", 'token');
    s.declare('"starts-with-a-quote', 'token2');
    const hostile = `it${`'\\"`.repeat(350_000)}x`;
    const started = performance.now();
    expect(s.mask(hostile)).toBe(hostile);
    // A blowup guard, not a speed target: milliseconds here, minutes when it was super-linear.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("masking stays linear when a host repeats a secret's prefix", () => {
  it('"mix" followed by quotes, 30,000 times', () => {
    const s = new Secrets();
    s.declare('mix\'"\\$`all-9', 'token');
    const hostile = `mix${`'"\\`.repeat(10)}y`.repeat(30_000);
    const started = performance.now();
    expect(s.mask(hostile)).toBe(hostile);
    // A blowup guard, not a speed target: milliseconds here, minutes when it was super-linear.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
