import { describe, expect, it } from 'vitest';
import { resolveVars } from '../../../src/playbook/vars.js';
import { Templater } from '../../../src/playbook/template.js';
import { parseExtraVars } from '../../../src/playbook/extra-vars.js';
import type { VarSource } from '../../../src/playbook/model.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const layer = (name: string, vars: Record<string, unknown>): VarSource => ({ vars, locate: (v, p) => `${name}:${[v, ...p].join('.')}` });
const t = new Templater();

describe('variables', () => {
  it('higher layers replace lower values whole', () => {
    const r = resolveVars(t, [
      layer('inventory', { a: 'inv', ntp: { servers: ['x'] }, keep: 1 }),
      layer('play', { a: 'play', ntp: { iburst: true } }),
      layer('extra', { a: 'extra' }),
    ]);
    expect(r.values).toEqual({ a: 'extra', ntp: { iburst: true }, keep: 1 });
  });

  it('values may use other variables, in any order, nested', () => {
    const r = resolveVars(t, [
      layer('play', {
        url: 'http://{{ host }}:{{ port }}/',
        host: '{{ name }}.lab',
        name: 'mirror',
        port: 80,
        list: ['{{ name }}', { deep: '{{ port }}' }],
      }),
    ]);
    expect(r.values).toMatchObject({ url: 'http://mirror.lab:80/', host: 'mirror.lab', list: ['mirror', { deep: 80 }] });
  });

  it('an undefined variable inside a value names where the value was written', () => {
    expect(() => resolveVars(t, [layer('site.yaml', { a: { b: ['{{ nope }}'] } })])).toThrow(
      "site.yaml:a.b.0: undefined variable 'nope' in variable 'a'",
    );
  });

  it('a cycle is an error', () => {
    expect(() => resolveVars(t, [layer('p', { a: '{{ b }}', b: '{{ a }}' })])).toThrow(/variable 'a' refers to itself \(a -> b -> a\)/);
  });

  it('values that use registered variables are deferred to run time', () => {
    const r = resolveVars(t, [layer('p', { v: '{{ out.stdout }}-x', w: '{{ v }}', plain: 1 })], new Set(['out']));
    expect([...r.deferred].sort()).toEqual(['v', 'w']);
    expect(r.values).toEqual({ plain: 1 });
  });
});

describe('-e extra vars', () => {
  it('NAME=VALUE as a string, @FILE as a mapping', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-ev-'));
    fs.writeFileSync(path.join(dir, 'more.yaml'), 'release: 14.2-RELEASE\nports: [80, 443]\n');
    const layers = parseExtraVars(['a=1', 'b=x=y', '@more.yaml'], dir);
    expect(layers.map((l) => l.vars)).toEqual([{ a: '1' }, { b: 'x=y' }, { release: '14.2-RELEASE', ports: [80, 443] }]);
  });

  it('rejects anything else', () => {
    expect(() => parseExtraVars(['novalue'])).toThrow(/expected NAME=VALUE or @FILE.yaml/);
    expect(() => parseExtraVars(['1a=b'])).toThrow(/expected NAME=VALUE/);
    expect(() => parseExtraVars(['@/nonexistent/x.yaml'])).toThrow(/vars file not found/);
  });
});
