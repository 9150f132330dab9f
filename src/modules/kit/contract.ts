/**
 * A module is data plus pure functions. The engine asks it which facts it needs (small sh
 * snippets with pure parsers), gathers every step's facts of a host in one round trip,
 * then asks the module for the changes that bring the host to the desired state. Nothing
 * here touches a host, so plan() is unit-tested with plain objects.
 */
import type { z } from 'zod';
import type { LocalFile } from '../../transport/types.js';
import type { FactKey, Resource } from '../../facts/resources.js';

export type { LocalFile };

/** Where a step acts: the host itself, or inside one of its (running) jails. */
export type Target = { kind: 'host' } | { kind: 'jail'; name: string };

/** What one fact snippet produced: its own stdout, stderr and exit status. */
export interface FactOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * One read of host state. Queries with the same key are the same query: gathered once per
 * host and shared by every step that asks. `resources` names the state it reads, so that a
 * change touching that state makes the engine read it again before a later step uses it.
 */
export interface FactQuery<T> {
  key: FactKey;
  /** POSIX sh, run in its own subshell with stdin from /dev/null; may `exit`. */
  script: string;
  resources: Resource[];
  /** Pure; throws an Error whose message says what was wrong on the host. */
  parse(output: FactOutput): T;
}

export type FactQueries<F> = { [K in keyof F]: FactQuery<F[K]> };

/** A before/after pair for the report: a file's unified diff, or a property's old and new value. */
export type DiffEntry =
  { type: 'file'; path: string; unified: string } | { type: 'value'; name: string; before: string | null; after: string | null };

export type Action =
  | { kind: 'script'; script: string }
  | {
      kind: 'write';
      path: string;
      content: string | LocalFile;
      mode?: string;
      owner?: string;
      group?: string;
      validate?: string;
      confineTo?: string;
    }
  | EditAction
  | ConfirmedAction;

/**
 * A change that could cut fleetjail (and everyone else) off the host, such as a pf ruleset.
 * `apply` (given `stdin`) makes the change and arms the host's own undo, a timer; then the
 * engine opens a NEW SSH session to the host and runs `commit` through it, which disarms the
 * timer and makes the change permanent. When no new session can be opened, `rollback` runs
 * at once over the session that made the change (and the timer, if that session is gone too).
 */
export interface ConfirmedAction {
  kind: 'confirmed';
  apply: string;
  stdin?: string;
  commit: string;
  rollback: string;
  /** Seconds the host waits for the commit before it undoes the change by itself. */
  timeoutSec: number;
}

/**
 * A text edit of a file computed on the controller (an rc.conf variable, a line): the
 * engine turns consecutive edits of one file into ONE atomic write of the result, which
 * lands only if the host's file is still what the plan read (or what this run's earlier
 * edits made of it); a file changed behind fleetjail's back is an error, never overwritten.
 */
export interface EditAction {
  kind: 'edit';
  /** The file on the host (a jail's file through the jail's root). */
  path: string;
  /** The text the plan read; null when there was no file (it is created, mode 0644). */
  base: string | null;
  /** Pure: the new text from the current one ('' for no file). */
  edit(text: string): string;
  /** The jail's root when the file is inside a jail (see WriteFileOptions.confineTo). */
  confineTo?: string;
  /**
   * Shell text that checks the new text on the host before it replaces the file (`%s`: the
   * new file), as file's `validate`: rc.conf's `/bin/sh -n %s` and read-back. Failing keeps
   * the old file. The validations of edits merged into one write all run.
   */
  validate?: string;
}

export interface Change {
  /** One line for people: "sshd_enable: NO -> YES". */
  summary: string;
  action: Action;
  /** Resource patterns this change alters (exact, or a prefix ending in '*'; '*' is everything). */
  touches: Resource[];
  diff?: DiffEntry[];
}

export interface StepContext {
  host: string;
  target: Target;
  check: boolean;
  /** --diff: modules fetch what a full diff needs (e.g. a file's old content). */
  diff: boolean;
}

/** What a module may do on the controller before any host is contacted (read local files, render templates). */
export interface LocalContext {
  /** A local file, relative to the playbook's directory. */
  readFile(relativePath: string): string;
  /** A local file by reference (size and sha256, computed by streaming it), for content too big to hold. */
  localFile(relativePath: string): LocalFile;
  /** A local LiquidJS template, rendered with the host's variables. */
  renderTemplate(relativePath: string): string;
}

/**
 * A module's row in README.md's module table (scripts/generate-readme.ts writes it from
 * these, `summary` and the arguments' `.describe()` texts). Markdown, one paragraph each.
 * What is about one argument belongs in that argument's description, not here.
 */
export interface ModuleDocs {
  /** How the module works beyond any one argument: what it reads, refuses, guarantees. */
  does?: string;
  /** The "in a jail" column: how `jail:` acts (`service -j`) if jailAware; otherwise why not, if not plain "no". */
  inJail?: string;
}

export interface Module<A = unknown, F = unknown> {
  name: string;
  summary: string;
  docs?: ModuleDocs;
  /** Validates (and defaults) the step's arguments; also the source of the JSON Schema. */
  args: z.ZodType<A>;
  /** Whether the step keyword `jail:` is allowed. */
  jailAware: boolean;
  /** Short label for progress lines and reports: "sysrc sshd_enable". */
  describe(args: A): string;
  prepare?(args: A, local: LocalContext): A;
  facts(args: A, ctx: StepContext): FactQueries<F>;
  plan(args: A, facts: F, ctx: StepContext): Change[];
}

/** Modules differ in their argument and fact types; the registry holds them erased. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a module's own A and F are checked where it is defined
export type AnyModule = Module<any, any>;

export function defineModule<A, F>(m: Module<A, F>): Module<A, F> {
  return m;
}
