import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { MODULES } from '../../../src/modules/registry.js';
import { defineModule, type AnyModule } from '../../../src/modules/kit/contract.js';
import { argumentDocs, argumentLine, BEGIN_MARKER, END_MARKER, moduleTable, withModuleTable } from '../../../scripts/readme-modules.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function fakeModule(args: z.ZodType, extra: Partial<AnyModule> = {}): AnyModule {
  return defineModule({
    name: 'fake',
    summary: 'a fake module',
    args,
    jailAware: false,
    describe: () => 'fake',
    facts: () => ({}),
    plan: () => [],
    ...extra,
  });
}

describe("README.md's module table", () => {
  it('is what the modules say (regenerate: npx tsx scripts/generate-readme.ts)', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(withModuleTable(readme, moduleTable(MODULES)));
  });

  it('documents every argument of every module: a description, or its allowed values', () => {
    const undocumented = MODULES.flatMap((m) =>
      argumentDocs(m)
        .filter((a) => a.description === undefined && a.values === undefined)
        .map((a) => `${m.name}.${a.name}`),
    );
    expect(undocumented).toEqual([]);
    for (const m of MODULES) expect(m.summary, m.name).not.toBe('');
  });

  it('has one row per module, in registry order', () => {
    const rows = moduleTable(MODULES).split('\n').slice(2);
    expect(rows.map((r) => /^\| `([^`]+)` \|/.exec(r)?.[1])).toEqual(MODULES.map((m) => m.name));
  });
});

describe('the table generator', () => {
  const args = z.strictObject({
    name: z.string().describe('the name'),
    state: z.enum(['present', 'absent']).default('present'),
    size: z.number().optional().describe('a | b'),
    keep: z.strictObject({ prefix: z.string(), count: z.number() }).optional(),
    path: z
      .string()
      .transform((p) => p.trim())
      .default('/etc/x')
      .describe('a path'),
  });

  it('reads required, defaults (through transforms), allowed values and object keys from the zod schema', () => {
    expect(argumentDocs(fakeModule(args))).toEqual([
      { name: 'name', required: true, description: 'the name' },
      { name: 'state', required: false, default: 'present', values: ['present', 'absent'] },
      { name: 'size', required: false, description: 'a | b' },
      { name: 'keep', required: false, keys: ['prefix', 'count'] },
      { name: 'path', required: false, description: 'a path', default: '/etc/x' },
    ]);
    expect(argumentLine({ name: 'state', required: false, default: 'present', values: ['present', 'absent'], description: 'x' })).toBe(
      '`state` (`present` / `absent`, default `present`): x',
    );
    expect(argumentLine({ name: 'd', required: false, default: JSON.stringify(' ') })).toBe('`d` (default `" "`)');
  });

  it('merges the forms of a union: an argument is required only if every form requires it', () => {
    const union = z.union([
      z.string(),
      z.strictObject({ cmd: z.string(), chdir: z.string() }),
      z.strictObject({ argv: z.array(z.string()), chdir: z.string() }),
    ]);
    expect(argumentDocs(fakeModule(union)).map((a) => [a.name, a.required])).toEqual([
      ['cmd', false],
      ['chdir', true],
      ['argv', false],
    ]);
  });

  it('writes one row per module: summary, docs, arguments; a | inside a cell is escaped; the jail column from jailAware and docs', () => {
    const table = moduleTable([
      fakeModule(args, { docs: { does: 'It does things.' } }),
      fakeModule(z.strictObject({}), { name: 'inside', jailAware: true, docs: { inJail: '`jexec`' } }),
      fakeModule(z.strictObject({}), { name: 'plain', jailAware: true }),
    ]);
    const [header, rule, fake, inside, plain] = table.split('\n');
    expect(header).toBe('| module | does; arguments | in a jail (`jail:`) |');
    expect(rule).toBe('|---|---|---|');
    expect(fake).toMatch(/^\| `fake` \| a fake module\. It does things\.<br>`name` \(required\): the name<br>/);
    expect(fake).toContain('`size`: a \\| b');
    expect(fake).toMatch(/ \| no \|$/);
    expect(inside).toBe('| `inside` | a fake module. | yes (`jexec`) |');
    expect(plain).toBe('| `plain` | a fake module. | yes |');
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `# title\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nafter\n`;
    expect(withModuleTable(readme, 'NEW')).toBe(`# title\n\n${BEGIN_MARKER}\nNEW\n${END_MARKER}\n\nafter\n`);
    expect(() => withModuleTable('# no markers\n', 'NEW')).toThrow(/markers/);
  });
});
