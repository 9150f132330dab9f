import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { playbookJsonSchema } from '../../../src/playbook/json-schema.js';
import { MODULES } from '../../../src/modules/registry.js';
import { loadPlaybook } from '../../../src/playbook/load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('JSON Schema for editors', () => {
  it('schema/playbook.schema.json is up to date (regenerate: npx tsx schema/generate.ts)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/playbook.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(playbookJsonSchema())));
  });

  it('describes every module and the step keywords, and accepts templates for typed values', () => {
    const s = playbookJsonSchema() as { definitions: Record<string, any>; required: string[] };
    expect(Object.keys(s.definitions)).toEqual([...MODULES.map((m) => `args.${m.name}`), 'step']);
    expect(s.required).toEqual(['hosts', 'steps']);
    const alternatives = s.definitions.step.anyOf as Array<{ properties: Record<string, unknown>; required: string[] }>;
    expect(alternatives.map((a) => a.required)).toEqual(MODULES.map((m) => [m.name]));
    expect(Object.keys(alternatives[0]?.properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'when', 'notify', 'register', 'jail', 'sysrc']),
    );
    const enabled = s.definitions['args.service'].properties.enabled;
    expect(enabled.anyOf).toEqual([{ type: 'boolean' }, expect.objectContaining({ type: 'string', pattern: '\\{[{%]' })]);
  });

  it('the example playbooks load', () => {
    for (const f of fs.readdirSync(path.join(ROOT, 'playbooks')).filter((n) => n.endsWith('.yaml'))) {
      expect(() => loadPlaybook(path.join(ROOT, 'playbooks', f))).not.toThrow();
    }
  });
});
