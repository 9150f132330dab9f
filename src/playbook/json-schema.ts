/**
 * The JSON Schema of a playbook file, for editors (YAML language server: put
 * `# yaml-language-server: $schema=../schema/playbook.schema.json` at the top of a
 * playbook). Generated from the same zod schemas the loader validates with; committed as
 * schema/playbook.schema.json (regenerate: `npx tsx schema/generate.ts`).
 */
import { z } from 'zod';
import { MODULES } from '../modules/registry.js';
import { playSchema, stepKeywordsSchema } from './schema.js';

type Json = Record<string, unknown>;

const TEMPLATE = { type: 'string', pattern: '\\{[{%]', description: 'a {{ template }}, rendered per host' };

function toJson(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Json;
  return rest;
}

export function playbookJsonSchema(): Json {
  const play = toJson(playSchema);
  const keywords = (toJson(stepKeywordsSchema).properties ?? {}) as Json;
  const definitions: Json = {};
  const alternatives: Json[] = [];
  for (const m of MODULES) {
    // Module arguments may be templates wherever a value is expected.
    definitions[`args.${m.name}`] = { description: m.summary, ...allowTemplates(toJson(m.args)) };
    alternatives.push({
      type: 'object',
      properties: { ...keywords, [m.name]: { $ref: `#/definitions/args.${m.name}` } },
      required: [m.name],
      additionalProperties: false,
    });
  }
  definitions.step = { description: 'a module with its arguments, and step keywords', anyOf: alternatives };
  const props = play.properties as Record<string, Json>;
  props.steps = { ...props.steps, items: { $ref: '#/definitions/step' } };
  props.handlers = { ...props.handlers, items: { $ref: '#/definitions/step' } };
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'fleetjail playbook', ...play, definitions };
}

/** Every scalar constraint below NODE also accepts a template string. */
function allowTemplates(node: Json): Json {
  const out: Json = { ...node };
  if (out.format === 'starts_with') delete out.format; // zod's own name, not a JSON Schema format
  if (out.properties)
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, Json>).map(([k, v]) => [k, allowTemplates(v)]));
  if (out.items && typeof out.items === 'object') out.items = allowTemplates(out.items as Json);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(out[key])) out[key] = (out[key] as Json[]).map(allowTemplates);
  const scalar =
    out.enum !== undefined ||
    out.const !== undefined ||
    ['boolean', 'number', 'integer'].includes(out.type as string) ||
    (out.type === 'string' && (out.pattern !== undefined || out.minLength !== undefined || out.format !== undefined));
  if (!scalar) return out;
  const { description, default: dflt, ...constraint } = out;
  return { ...(description ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), anyOf: [constraint, TEMPLATE] };
}
