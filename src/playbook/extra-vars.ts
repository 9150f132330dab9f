/**
 * `-e key=value` (a string, as Ansible reads it) and `-e @file.yaml` (a mapping of
 * variables): the highest-precedence variables of a run.
 */
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import { loadVarsFile } from './load.js';
import type { VarSource } from './model.js';

export function parseExtraVars(args: string[], cwd = process.cwd()): VarSource[] {
  return args.map((arg) => {
    if (arg.startsWith('@')) return loadVarsFile(path.resolve(cwd, arg.slice(1)));
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError(`-e ${arg}: expected NAME=VALUE or @FILE.yaml`);
    }
    return { vars: { [name]: arg.slice(eq + 1) }, locate: () => `-e ${name}` };
  });
}
