/**
 * The playbook format as zod schemas: the play's keys, a step's keywords (everything but its
 * module), and each module's arguments (in the module). The loader validates with these and
 * the JSON Schema for editors is generated from them.
 */
import { z } from 'zod';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name (letters, digits, _)');
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]);

export const serialSchema = z
  .union([z.number().int().positive(), z.string().regex(/^([1-9][0-9]?|100)%$/, "a count of hosts, or a percentage such as '25%'")])
  .describe("hosts per batch: a count or a percentage of the play's hosts; each batch finishes before the next starts");

export const playSchema = z.strictObject({
  name: z.string().optional().describe('what the playbook does'),
  hosts: z.string().min(1).describe("host pattern, e.g. 'jailhosts:!canary'"),
  vars: z.record(z.string(), z.unknown()).optional(),
  vars_files: z
    .array(z.string())
    .optional()
    .describe('YAML files of variables, relative to the playbook; a FILE.age is decrypted with age and its variables are secret'),
  vars_from_env: z
    .record(identifier, z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'))
    .optional()
    .describe('secret variables read from the environment (CI): { db_password: FLEETJAIL_DB_PASSWORD }'),
  serial: serialSchema.optional(),
  max_fail_percentage: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('stop the run after a batch in which more than this percentage of hosts failed'),
  steps: z.array(z.unknown()).min(1),
  handlers: z.array(z.unknown()).optional().describe('steps run once per host at the end, when a changed step notified them'),
});

/** A step's keywords; the step's one other key is its module, with that module's arguments. */
export const stepKeywordsSchema = z.strictObject({
  name: z.string().optional().describe('shown in progress and reports; handlers are notified by it'),
  when: oneOrMany(z.union([z.string(), z.boolean()]))
    .optional()
    .describe('a condition (Liquid expression, e.g. "os_release == \'14.2\'"); a list means all of them'),
  tags: oneOrMany(z.string().min(1)).optional(),
  notify: oneOrMany(z.string().min(1)).optional().describe('handlers to run at the end when this step changed something'),
  register: identifier.optional().describe("keep this step's result in a variable for later steps"),
  ignore_errors: z.boolean().optional(),
  timeout: z
    .number()
    .positive()
    .optional()
    .describe("seconds this step's commands may run on the host; past it they are stopped there and the step fails"),
  no_log: z
    .boolean()
    .optional()
    .describe("hide this step's changes, output, diff and errors in every output (secrets: see README, Security)"),
  jail: z
    .string()
    .min(1)
    .optional()
    .describe('act inside this running jail (its name: letters, digits, _ and -; checked after templating)'),
  loop: z
    .union([z.string().min(1), z.array(z.unknown())])
    .optional()
    .describe(
      'run the step once per item: a list, or a template that gives one (e.g. "{{ jails }}"); each run sees `item` and `loop_index`',
    ),
});

export const STEP_KEYWORDS = Object.keys(stepKeywordsSchema.shape);
export const PLAY_KEYS = Object.keys(playSchema.shape);
