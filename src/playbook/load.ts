/**
 * Reading a playbook file: the play's keys, its steps and handlers (each a module with its
 * arguments plus step keywords), vars_files. Everything that can be checked without
 * variables is checked here, and all problems are reported together, each at
 * file:line:column with the nearest valid key or module name.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { YamlFile, type YamlPath } from '../util/yaml.js';
import { ConfigError } from '../util/errors.js';
import { didYouMean, nearest } from '../util/suggest.js';
import { findModule, moduleNames } from '../modules/registry.js';
import { playSchema, stepKeywordsSchema, STEP_KEYWORDS } from './schema.js';
import { issuesToErrors, throwIfAny } from './issues.js';
import { isTemplate } from './template.js';
import type { Playbook, Serial, StepDecl, VarSource } from './model.js';

export function loadPlaybook(file: string): Playbook {
  return parsePlaybook(YamlFile.load(file));
}

/** A playbook from YAML text (FILE names it in messages; relative paths resolve from its directory). */
export function parsePlaybookText(text: string, file: string): Playbook {
  return parsePlaybook(YamlFile.parse(file, text));
}

function parsePlaybook(yaml: YamlFile): Playbook {
  const data = yaml.value();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw yaml.error([], 'a playbook is a mapping with hosts: and steps: (one play per file)');
  }
  const errors: ConfigError[] = [];
  const play = playSchema.safeParse(data);
  if (!play.success) errors.push(...issuesToErrors(yaml, [], data, playSchema, play.error.issues, { what: 'playbook' }));
  const raw = data as Record<string, unknown>;
  const dir = path.dirname(path.resolve(yaml.file));

  const handlers = readSteps(yaml, raw.handlers, 'handlers', errors);
  const steps = readSteps(yaml, raw.steps, 'steps', errors);
  checkHandlerNames(yaml, handlers, errors);
  checkNotify(yaml, [...steps, ...handlers], handlers, errors);

  const varSources: VarSource[] = [];
  if (raw.vars && typeof raw.vars === 'object' && !Array.isArray(raw.vars)) {
    varSources.push(yamlVarSource(yaml, ['vars'], raw.vars as Record<string, unknown>));
  }
  if (Array.isArray(raw.vars_files)) {
    raw.vars_files.forEach((f, i) => {
      if (typeof f !== 'string') return;
      try {
        varSources.push(loadVarsFile(path.resolve(dir, f), yaml.location(['vars_files', i])));
      } catch (e) {
        errors.push(e instanceof ConfigError ? e : yaml.error(['vars_files', i], String(e)));
      }
    });
  }
  if (raw.vars_from_env && typeof raw.vars_from_env === 'object' && !Array.isArray(raw.vars_from_env)) {
    varSources.push(envVarSource(yaml, raw.vars_from_env as Record<string, unknown>));
  }
  throwIfAny(errors);

  const p = play.data as z.output<typeof playSchema>;
  return {
    file: yaml.file,
    dir,
    yaml,
    name: p.name ?? path.basename(yaml.file),
    hosts: p.hosts,
    varSources,
    ...(p.serial !== undefined ? { serial: parseSerial(p.serial) } : {}),
    ...(p.max_fail_percentage !== undefined ? { maxFailPercentage: p.max_fail_percentage } : {}),
    steps,
    handlers,
  };
}

function parseSerial(s: number | string): Serial {
  return typeof s === 'number' ? { count: s } : { percent: Number(s.slice(0, -1)) };
}

function readSteps(yaml: YamlFile, list: unknown, key: 'steps' | 'handlers', errors: ConfigError[]): StepDecl[] {
  if (!Array.isArray(list)) return [];
  const out: StepDecl[] = [];
  list.forEach((item, index) => {
    const step = readStep(yaml, [key, index], item, key === 'handlers', errors);
    if (step) out.push(step);
  });
  return out;
}

function readStep(yaml: YamlFile, at: YamlPath, item: unknown, handler: boolean, errors: ConfigError[]): StepDecl | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    errors.push(yaml.error(at, `a step is a mapping: a module name with its arguments, e.g. "sysrc: { name: sshd_enable, value: 'YES' }"`));
    return undefined;
  }
  const fields = item as Record<string, unknown>;
  // `jail` is both a keyword (a jail's name: act inside it) and a module (a mapping: the jail
  // itself). A template string (`jail: "{{ item }}"`) on a step with no other module is the module.
  const noOtherModule = Object.keys(fields).every((k) => k === 'jail' || STEP_KEYWORDS.includes(k));
  const jailModule =
    findModule('jail') !== undefined &&
    ((fields.jail !== null && typeof fields.jail === 'object' && !Array.isArray(fields.jail)) ||
      (noOtherModule && isTemplate(fields.jail)));
  const isKeyword = (k: string) => STEP_KEYWORDS.includes(k) && !(k === 'jail' && jailModule);
  const others = Object.keys(fields).filter((k) => !isKeyword(k));
  const known = others.filter((k) => findModule(k));
  for (const k of others.filter((o) => !findModule(o))) {
    const keyword = nearest(k, STEP_KEYWORDS);
    errors.push(
      keyword
        ? yaml.error([...at, k], `unknown key '${k}' in a step; did you mean '${keyword}'?`, { key: true })
        : yaml.error([...at, k], `unknown module '${k}'${didYouMean(k, moduleNames()) || ` (modules: ${moduleNames().join(', ')})`}`, {
            key: true,
          }),
    );
  }
  if (known.length > 1) {
    errors.push(yaml.error([...at, known[1] as string], `a step runs one module, this one has ${known.join(' and ')}`, { key: true }));
  }
  if (others.length === 0) {
    errors.push(yaml.error(at, `step has no module (one of: ${moduleNames().join(', ')})`));
  }
  const keywords = Object.fromEntries(Object.entries(fields).filter(([k]) => isKeyword(k)));
  const kw = stepKeywordsSchema.safeParse(keywords);
  if (!kw.success) errors.push(...issuesToErrors(yaml, at, keywords, stepKeywordsSchema, kw.error.issues, { what: 'step' }));
  const module = known.length === 1 ? findModule(known[0] as string) : undefined;
  if (!module || !kw.success) return undefined;

  const rawArgs = fields[module.name];
  const args = module.args.safeParse(rawArgs);
  if (!args.success) {
    errors.push(
      ...issuesToErrors(yaml, [...at, module.name], rawArgs, module.args, args.error.issues, {
        tolerateTemplates: true,
        what: `${module.name} arguments`,
      }),
    );
  }
  const k = kw.data;
  if (k.jail !== undefined && !module.jailAware)
    errors.push(yaml.error([...at, 'jail'], `module ${module.name} cannot act inside a jail`, { key: true }));
  if (handler && k.name === undefined) errors.push(yaml.error(at, 'a handler needs a name: steps notify it by that name'));
  if (handler && k.loop !== undefined) errors.push(yaml.error([...at, 'loop'], 'a handler cannot loop', { key: true }));
  if (k.loop !== undefined && k.register !== undefined) {
    errors.push(yaml.error([...at, 'register'], 'a looped step cannot register a result (each item would overwrite it)', { key: true }));
  }
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return {
    id: `${at[0]}[${at[1]}]`,
    handler,
    path: at,
    module,
    rawArgs,
    ...(k.name !== undefined ? { name: k.name } : {}),
    when: list(k.when),
    tags: list(k.tags),
    notify: list(k.notify),
    ...(k.register !== undefined ? { register: k.register } : {}),
    ignoreErrors: k.ignore_errors ?? false,
    ...(k.timeout !== undefined ? { timeoutSec: k.timeout } : {}),
    noLog: k.no_log ?? false,
    ...(k.jail !== undefined ? { jail: k.jail } : {}),
    ...(k.loop !== undefined ? { loop: k.loop } : {}),
  };
}

function checkHandlerNames(yaml: YamlFile, handlers: StepDecl[], errors: ConfigError[]): void {
  const seen = new Set<string>();
  for (const h of handlers) {
    if (h.name === undefined) continue;
    if (seen.has(h.name)) errors.push(yaml.error([...h.path, 'name'], `two handlers are named '${h.name}'`));
    seen.add(h.name);
  }
}

function checkNotify(yaml: YamlFile, steps: StepDecl[], handlers: StepDecl[], errors: ConfigError[]): void {
  const names = handlers.map((h) => h.name).filter((n): n is string => n !== undefined);
  for (const s of steps) {
    for (const n of s.notify) {
      if (!names.includes(n)) errors.push(yaml.error([...s.path, 'notify'], `no handler named '${n}'${didYouMean(n, names)}`));
    }
  }
}

function yamlVarSource(yaml: YamlFile, base: YamlPath, vars: Record<string, unknown>): VarSource {
  return {
    vars,
    locate: (name, p) => {
      const { line, col } = yaml.pos([...base, name, ...p]);
      return `${yaml.file}:${line}:${col}`;
    },
  };
}

/**
 * A vars file. One named *.age is encrypted: it comes back locked (no variables yet, secret),
 * and unlockVarSources decrypts it before the variables are used.
 */
export function loadVarsFile(file: string, from?: { file: string; line: number; col: number }): VarSource {
  if (!fs.existsSync(file)) {
    throw from
      ? new ConfigError(`vars file not found: ${file}`, from.file, from.line, from.col)
      : new ConfigError(`vars file not found: ${file}`);
  }
  if (file.endsWith('.age')) {
    return { vars: {}, secret: true, encrypted: { file, ...(from ? { from } : {}) }, locate: (name) => `variable '${name}' of ${file}` };
  }
  return varsFromYaml(YamlFile.load(file));
}

/** The variables of a vars file's YAML (SECRET: every one of them is secret). */
export function varsFromYaml(yaml: YamlFile, secret = false): VarSource {
  const data = yaml.value();
  if (data !== null && (typeof data !== 'object' || Array.isArray(data)))
    throw yaml.error([], 'a vars file is a mapping of variable names to values');
  const source = yamlVarSource(yaml, [], (data ?? {}) as Record<string, unknown>);
  return secret ? { ...source, secret } : source;
}

/**
 * vars_from_env: NAME: ENV_VAR, each a secret. An unset ENV_VAR leaves NAME undefined, so
 * that another source (-e @secrets.yaml.age) can give it; a template that reads it while it is
 * undefined fails as any undefined variable does, before any host is contacted.
 */
function envVarSource(yaml: YamlFile, mapping: Record<string, unknown>): VarSource {
  const vars: Record<string, unknown> = {};
  const unsetEnv: Record<string, string> = {};
  for (const [name, envName] of Object.entries(mapping)) {
    if (typeof envName !== 'string') continue; // the schema reports it
    const value = process.env[envName];
    if (value !== undefined) vars[name] = value;
    else unsetEnv[name] = envName;
  }
  return { ...yamlVarSource(yaml, ['vars_from_env'], vars), secret: true, unsetEnv };
}
