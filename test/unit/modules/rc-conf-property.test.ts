/**
 * Property test of the rc.conf reader and editor against a real sh (dash here; FreeBSD's sh
 * lexes these forms alike): seeded random rc.conf texts (comments holding quotes, every
 * quoting form, expansions with blanks, continuations, multi-line values, statements it
 * must refuse) and random edits (set, remove, item add / remove). For each case:
 *  - the reader's known values are the values sh gives after sourcing the text;
 *  - an edit is refused only for a variable the generator put somewhere it cannot be placed
 *    exactly (or whose value needs sh, for an item edit);
 *  - an edit's result passes `sh -n`, and sourcing it gives the edited variable the intended
 *    value (or none) and every other variable the value it had;
 *  - the host-side validation (rcValidation) accepts the result and rejects the old text.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRcConf, scanRcConf } from '../../../src/facts/rc-conf.js';
import { editRcVariable, rcValidation } from '../../../src/modules/kit/rc-conf-edit.js';
import { desiredValue } from '../../../src/modules/kit/rc-variable.js';

const CASES = Number(process.env.RC_PROPERTY_CASES ?? 1000);
const SEED = Number(process.env.RC_PROPERTY_SEED ?? 20261203);

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

const NAMES = ['v_a', 'v_b', 'v_c', 'jail_list', 'v_e', 'do'] as const;
const HOSTILE = [
  ' ',
  '  ',
  '\t',
  '\n',
  '"',
  "'",
  '$',
  '`',
  '\\',
  '#',
  ';',
  '&',
  '|',
  '(',
  ')',
  '{',
  '}',
  '%s',
  '*',
  '?',
  '~',
  'é',
  '🚀',
  'x',
  'y',
  '1',
  '=',
  ':',
];

interface Case {
  text: string;
  /** Names written somewhere the reader must refuse to edit. */
  risky: Set<string>;
  /** name -> names whose value reads it (${name}): sh changes them with it. */
  readers: Map<string, Set<string>>;
}

function generate(r: Rng): Case {
  const risky = new Set<string>();
  const readers = new Map<string, Set<string>>();
  const assigned: string[] = [];
  const lines: string[] = [];
  const hostileText = (n: number) => Array.from({ length: n }, () => r.pick(HOSTILE)).join('');

  /** A word for NAME's value. */
  const word = (name: string): string => {
    const ref = () => {
      const target = assigned.length > 0 && r.chance(0.7) ? r.pick(assigned) : 'v_never_set';
      if (!readers.has(target)) readers.set(target, new Set());
      readers.get(target)?.add(name);
      return target;
    };
    let out = '';
    const segments = 1 + r.int(4);
    for (let k = 0; k < segments; k++) {
      switch (r.int(12)) {
        case 0:
          out += r.pick(['www', 'db', 'YES', 'NO', '-s', '10.0.0.1/24', 'a.b', 'x%sy', 'k=v', 'a:b', '@1+2,3']);
          break;
        case 1:
          out += `'${hostileText(r.int(6)).replaceAll("'", '')}'`;
          break;
        case 2:
          out += `"${hostileText(r.int(6)).replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
          break;
        case 3:
          out += `"${r.pick(['www\n  db\n', 'www\tdb', ' \\n \\q ', '$(echo a  b)', '`echo "x  y"`', '$((1 + 2))', `\${${ref()}}`, `$${ref()}/x`, '#no comment'])}"`;
          break;
        case 4:
          out += r.pick(['$(echo a  b)', '$( echo ")" )', '`echo x  y`', '$((3 * 4 ))', '$(printf %s "q  r")', '${v_never_set:-a b}']);
          break;
        case 5:
          out += `\${${ref()}}`;
          break;
        case 6:
          out += `\\${r.pick(['"', "'", ' ', '$', '#', ';', '\\', 'a', '`'])}`;
          break;
        case 7:
          out += `x\\\ny`;
          break;
        case 8:
          out += out === '' ? 'h#x' : '#x';
          break;
        case 9:
          out += `"${hostileText(2).replace(/["\\$`]/g, (c) => `\\${c}`)}\\\n${hostileText(2).replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
          break;
        case 10:
          out += out === '' && r.chance(0.3) ? '~/x' : 'plain';
          break;
        default:
          out += '';
      }
    }
    return out;
  };

  const statements = 2 + r.int(9);
  for (let k = 0; k < statements; k++) {
    const name = r.pick(NAMES);
    const comment = () => (r.chance(0.3) ? `  # ${hostileText(r.int(8)).replaceAll('\n', ' ')}` : '');
    switch (r.int(14)) {
      case 0:
        lines.push(`# ${hostileText(3 + r.int(10)).replaceAll('\n', ' ')}`);
        break;
      case 1:
        lines.push('');
        break;
      case 2: {
        const other = r.pick(NAMES);
        lines.push(`${name}=${word(name)}; ${other}=${word(other)}${comment()}`);
        assigned.push(name, other);
        break;
      }
      case 3: {
        // Not alone in its command: editable in place, not removable.
        const other = r.pick(NAMES.filter((n) => n !== name));
        lines.push(`${name}=${word(name)} ${other}=${word(other)}`);
        risky.add(name).add(other);
        assigned.push(name, other);
        break;
      }
      case 4:
        lines.push(`if true; then ${name}=${word(name)}; fi`);
        risky.add(name);
        break;
      case 5:
        lines.push(`fn_${k}() { ${name}=${word(name)}; }`);
        risky.add(name);
        break;
      case 6:
        lines.push(`${name}=${word(name)} true`);
        risky.add(name);
        break;
      case 7:
        lines.push(`: \${${name}:=${r.pick(['d', 'x y'])}}`);
        risky.add(name);
        break;
      case 8:
        lines.push(`true && ${name}=${word(name)}`);
        risky.add(name);
        break;
      default:
        lines.push(`${r.chance(0.2) ? '  ' : ''}${name}=${word(name)}${comment()}`);
        assigned.push(name);
    }
  }
  return { text: lines.join('\n') + (r.chance(0.9) ? '\n' : ''), risky, readers };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-rc-property-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type ShValues = Map<string, string | undefined>;

/**
 * One sh run per case: `sh -n` and the values after sourcing, for the old and new text, and
 * the validation's verdict on both (%s replaced as the atomic write does).
 */
function shCheck(
  before: string,
  after: string | undefined,
  validate: string | undefined,
): { ok: boolean[]; values: ShValues[]; valid: boolean[] } {
  const files = (after === undefined ? [before] : [before, after]).map((text, k) => {
    const f = path.join(dir, `rc${k}`);
    fs.writeFileSync(f, text);
    return f;
  });
  const dump = `for n in ${NAMES.map((n) => `'${n}'`).join(' ')}; do eval "if [ \\"\\\${$n+set}\\" = set ]; then printf '%s=%s\\0' \\"\\$n\\" \\"\\\${$n}\\"; else printf '%s\\0' \\"\\$n\\"; fi"; done`;
  const script = files
    .map(
      (f) => `
if /bin/sh -n '${f}' 2>/dev/null; then printf 'syntax-ok\\0'; else printf 'syntax-bad\\0'; fi
( for n in ${NAMES.map((n) => `'${n}'`).join(' ')}; do unset "$n" 2>/dev/null; done; . '${f}' >/dev/null 2>&1 </dev/null; ${dump} ) 2>/dev/null
printf 'end\\0'
${validate === undefined ? '' : `tmp='${f}'; if ( ${validate.split('%s').join('"$tmp"')} ) >/dev/null 2>&1; then printf 'valid\\0'; else printf 'invalid\\0'; fi`}
`,
    )
    .join('\n');
  const out = execFileSync('/bin/sh', ['-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/home/someone' },
  });
  const fields = out.split('\0');
  const ok: boolean[] = [];
  const values: ShValues[] = [];
  const valid: boolean[] = [];
  let cur: ShValues = new Map();
  for (const f of fields) {
    if (f === 'syntax-ok' || f === 'syntax-bad') {
      ok.push(f === 'syntax-ok');
      cur = new Map();
    } else if (f === 'end') values.push(cur);
    else if (f === 'valid' || f === 'invalid') valid.push(f === 'valid');
    else if (f !== '') {
      const eq = f.indexOf('=');
      if (eq < 0) cur.set(f, undefined);
      else cur.set(f.slice(0, eq), f.slice(eq + 1));
    }
  }
  return { ok, values, valid };
}

describe(`rc.conf reader and editor against real sh (${CASES} seeded cases, seed ${SEED})`, () => {
  it('reads what sh reads, edits only what it can place exactly, and sh agrees with every edit', () => {
    const r = rng(SEED);
    let edited = 0;
    let refused = 0;
    for (let n = 0; n < CASES; n++) {
      const c = generate(r);
      const label = `case ${n} (seed ${SEED}):\n${c.text}`;
      const name = r.pick(NAMES);
      const op = r.pick(['set', 'set', 'remove', 'add', 'del'] as const);
      const value = r.chance(0.2) ? r.pick(['', 'YES', 'www db']) : Array.from({ length: 1 + r.int(6) }, () => r.pick(HOSTILE)).join('');
      const item = r.pick(['www', 'db', 'mail', '-c']);

      const scan = scanRcConf(c.text);
      const vars = parseRcConf(c.text);

      // The edit, planned as the module plans it.
      const current = vars.get(name);
      let want: string | undefined;
      let after: string | undefined;
      let refusal: string | undefined;
      if (op === 'set') want = value;
      else if (op === 'remove') want = undefined;
      else if (current?.dynamic !== undefined || scan.unplaceable.some((u) => u.name === name)) refusal = 'item of a value that needs sh';
      else want = desiredValue({ item, delimiter: ' ', state: op === 'add' ? 'present' : 'absent' }, current?.value);
      if (refusal === undefined) {
        try {
          after = editRcVariable(c.text, name, want);
        } catch (e) {
          refusal = (e as Error).message;
          expect(c.risky.has(name), `refused ${op} ${name} without reason (${refusal}): ${label}`).toBe(true);
          refused++;
        }
      }
      const validate = after === undefined ? undefined : rcValidation(name, want);
      const res = shCheck(c.text, after, validate);

      // The reader's known values against sh's.
      expect(res.ok[0], `generated text is not sh: ${label}`).toBe(true);
      const shBefore = res.values[0] as ShValues;
      for (const [k, v] of vars) {
        if (v.dynamic !== undefined || scan.unplaceable.some((u) => u.name === k)) continue;
        expect(v.value, `${k} read differently from sh: ${label}`).toBe(shBefore.get(k));
      }
      for (const k of NAMES) if (!vars.has(k) && !c.risky.has(k)) expect(shBefore.get(k), `${k} missed: ${label}`).toBeUndefined();
      if (after === undefined) continue;
      edited++;
      expect(res.ok[1], `sh -n rejects the result of ${op} ${name}=${JSON.stringify(want)}: ${label}\n--- result:\n${after}`).toBe(true);
      const shAfter = res.values[1] as ShValues;
      expect(shAfter.get(name), `${name} after ${op} ${JSON.stringify(want)}: ${label}\n--- result:\n${after}`).toBe(want);
      // Names reading the edited one (through ${...}, also through others) change with it, as in sh.
      const affected = new Set<string>([name]);
      for (let grew = true; grew;) {
        grew = false;
        for (const x of [...affected]) for (const y of c.readers.get(x) ?? []) if (!affected.has(y)) grew = affected.add(y) !== undefined;
      }
      for (const k of NAMES) {
        if (affected.has(k)) continue;
        expect(shAfter.get(k), `${k} changed by ${op} ${name}: ${label}\n--- result:\n${after}`).toBe(shBefore.get(k));
      }
      expect(res.valid[1], `validation rejects the result: ${label}\n--- result:\n${after}`).toBe(true);
      if (shBefore.get(name) !== want || (want === undefined && shBefore.has(name) && shBefore.get(name) !== undefined)) {
        expect(res.valid[0], `validation accepts the old text: ${label}`).toBe(false);
      }
    }
    // Not vacuous: most edits went through, and the refusals were all of risky names.
    expect(edited).toBeGreaterThan(CASES * 0.5);
    expect(refused).toBeGreaterThan(0);
  }, 60_000);
});
