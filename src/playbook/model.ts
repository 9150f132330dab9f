/** A playbook as loaded and validated, with the positions its error messages need. */
import type { YamlFile, YamlPath } from '../util/yaml.js';
import type { AnyModule } from '../modules/kit/contract.js';

/** Where a value came from, to name it in error messages. */
export interface VarSource {
  /** Variables of this layer (values as YAML produced them; strings may be templates). */
  vars: Record<string, unknown>;
  /** file:line:col of the value at PATH below variable NAME (a description when there is no file). */
  locate(name: string, path: YamlPath): string;
  /** Every variable of this layer is secret (an age-encrypted file, vars_from_env): masked in all output. */
  secret?: boolean;
  /** An age-encrypted file not yet decrypted (see unlockVarSources); vars is empty until then. */
  encrypted?: { file: string; from?: { file: string; line: number; col: number } };
  /** vars_from_env entries whose environment variable is unset: NAME -> ENV_VAR. */
  unsetEnv?: Record<string, string>;
}

export type Serial = { count: number } | { percent: number };

export interface StepDecl {
  /** "steps[3]" / "handlers[0]": stable within a playbook, used for keys and reports. */
  id: string;
  handler: boolean;
  /** Path of the step's mapping in the playbook file. */
  path: YamlPath;
  module: AnyModule;
  /** The module's arguments as written (strings may hold templates). */
  rawArgs: unknown;
  name?: string;
  when: Array<string | boolean>;
  tags: string[];
  notify: string[];
  register?: string;
  ignoreErrors: boolean;
  /** `timeout:` in seconds: the step's commands are stopped on the host past it. */
  timeoutSec?: number;
  /** no_log: its arguments' values, output, diff and errors are hidden in every output. */
  noLog: boolean;
  jail?: string;
  /** `loop:` as written: a list, or a template string that renders to one. */
  loop?: unknown;
}

export interface Playbook {
  file: string;
  /** Directory that src:, template: and vars_files paths are relative to. */
  dir: string;
  yaml: YamlFile;
  name: string;
  hosts: string;
  /** Playbook vars, then vars_files in order, then vars_from_env (lowest first). */
  varSources: VarSource[];
  serial?: Serial;
  maxFailPercentage?: number;
  steps: StepDecl[];
  handlers: StepDecl[];
}
