/**
 * From a step as written to a step for one host: its `when` decided, its name, jail and
 * module arguments rendered with the host's variables, the arguments validated by the
 * module's schema and prepared (local files read, templates rendered). Used before any
 * host is contacted, and again at run time for steps that use registered variables.
 *
 * Whatever a secret variable flows into is recorded in the run's Secrets: the rendered
 * strings (masked by value), and the file of a step whose content came from a secret or that
 * is written private (mode without group/other read), whose content no diff may show.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import type { YamlPath } from '../util/yaml.js';
import { HOST } from '../modules/kit/target.js';
import { hashLocalFile } from '../modules/kit/local-source.js';
import { jailName } from '../modules/kit/names.js';
import type { LocalContext, Target } from '../modules/kit/contract.js';
import { issuesToErrors, throwIfAny } from './issues.js';
import { isPrivateMode, type Secrets } from '../util/secrets.js';
import { forEachSecretLeaf, renderDeep, templateRefs, type SecretTaint } from './vars.js';
import { isTemplate, TemplateError, type Templater } from './template.js';
import type { Playbook, StepDecl } from './model.js';

export interface RenderedStep {
  decl: StepDecl;
  name: string;
  target: Target;
  /** Validated and prepared: what module.facts() and plan() receive. */
  args: unknown;
}

export class StepRenderer {
  constructor(
    private readonly playbook: Playbook,
    private readonly templater: Templater,
    private readonly secrets?: Secrets,
  ) {}

  /** Variables the step's name, jail and arguments read (not its `when`). */
  argRefs(decl: StepDecl): string[] {
    return templateRefs(this.templater, [decl.name, decl.jail, decl.rawArgs]);
  }

  whenRefs(decl: StepDecl): string[] {
    return decl.when.flatMap((w) => this.templater.conditionVariables(w));
  }

  when(decl: StepDecl, scope: Record<string, unknown>): boolean {
    return decl.when.every((cond, i) => {
      try {
        return this.templater.condition(cond, scope);
      } catch (e) {
        if (e instanceof TemplateError) throw this.error(decl, ['when', ...(decl.when.length > 1 ? [i] : [])], `${e.message} in when`);
        throw e;
      }
    });
  }

  render(decl: StepDecl, scope: Record<string, unknown>): RenderedStep {
    const locate = (p: YamlPath) => this.where([...decl.path, ...p]);
    let tainted: boolean; // set when a template used a secret (taint.found); reset once name and jail are rendered
    const secrets = this.secrets;
    const taint: SecretTaint | undefined = secrets && {
      names: secrets.names,
      found: (out, template) => {
        tainted = true;
        const fromOutput = !this.templater.variables(template).some((r) => secrets.isDeclaredSecret(r));
        forEachSecretLeaf(out, (text) => (fromOutput ? secrets.addOutput(text, template) : secrets.add(text, template)));
      },
    };
    const name =
      decl.name === undefined
        ? undefined
        : String(renderDeep(this.templater, decl.name, scope, () => locate(['name']), 'step name', taint));
    const jail =
      decl.jail === undefined ? undefined : String(renderDeep(this.templater, decl.jail, scope, () => locate(['jail']), 'jail', taint));
    if (jail !== undefined) {
      // The name goes to jls -j, jexec, pkg -j, service -j: a jail's name, never an option or a path.
      const checked = jailName.safeParse(jail);
      if (!checked.success)
        throw this.error(
          decl,
          ['jail'],
          `jail: ${JSON.stringify(jail)} is not a jail name: ${checked.error.issues[0]?.message}${isTemplate(decl.jail) ? ' (after templating)' : ''}`,
        );
    }
    tainted = false; // a secret in the name or jail says nothing about a file's content
    const rendered = renderDeep(
      this.templater,
      decl.rawArgs,
      scope,
      (p) => locate([decl.module.name, ...p]),
      `${decl.module.name} arguments`,
      taint,
    );
    const parsed = decl.module.args.safeParse(rendered);
    if (!parsed.success) {
      const errors = issuesToErrors(this.playbook.yaml, [...decl.path, decl.module.name], rendered, decl.module.args, parsed.error.issues, {
        what: `${decl.module.name} arguments`,
      });
      throwIfAny(
        errors.map((e) => (isTemplate(decl.rawArgs) || hasTemplate(decl.rawArgs) ? new ConfigError(`${e.message} (after templating)`) : e)),
      );
    }
    let args: unknown = parsed.data;
    if (decl.module.prepare) {
      try {
        args = decl.module.prepare(args, this.localContext(scope, taint));
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`${locate([decl.module.name])}: ${e.message}`);
        throw e;
      }
    }
    this.hidePrivateContent(args, scope, tainted || decl.noLog);
    return {
      decl,
      // A no_log step's default name would show its arguments.
      name: name ?? (decl.noLog ? `${decl.module.name} (no_log)` : decl.module.describe(args)),
      target: jail === undefined ? HOST : { kind: 'jail', name: jail },
      args,
    };
  }

  /** A file this step writes from a secret, or private, never shows its content (diffs say "content hidden"). */
  private hidePrivateContent(args: unknown, scope: Record<string, unknown>, fromSecret: boolean): void {
    if (!this.secrets || args === null || typeof args !== 'object') return;
    const { path: file, mode } = args as { path?: unknown; mode?: unknown };
    const host = scope.inventory_hostname;
    if (typeof file !== 'string' || typeof host !== 'string') return;
    if (fromSecret || (typeof mode === 'string' && isPrivateMode(mode))) this.secrets.hideFile(host, file);
  }

  private localContext(scope: Record<string, unknown>, taint?: SecretTaint): LocalContext {
    const local = <T>(rel: string, how: (file: string) => T) => {
      const file = path.resolve(this.playbook.dir, rel);
      try {
        return { file, got: how(file) };
      } catch (e) {
        throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    const read = (rel: string) => {
      const { file, got } = local(rel, (f) => fs.readFileSync(f, 'utf8'));
      return { file, text: got };
    };
    return {
      readFile: (rel) => read(rel).text,
      localFile: (rel) => local(rel, hashLocalFile).got,
      renderTemplate: (rel) => {
        const { file, text } = read(rel);
        try {
          const out = this.templater.renderText(text, scope);
          if (taint && this.templater.variables(text).some((r) => taint.names.has(r))) taint.found(out, text);
          return out;
        } catch (e) {
          if (e instanceof TemplateError)
            throw new ConfigError(`template ${file}${e.line ? `:${e.line}${e.col ? `:${e.col}` : ''}` : ''}: ${e.message}`);
          throw e;
        }
      },
    };
  }

  private where(p: YamlPath): string {
    const { line, col } = this.playbook.yaml.pos(p);
    return `${this.playbook.file}:${line}:${col}`;
  }

  private error(decl: StepDecl, p: YamlPath, message: string): ConfigError {
    return new ConfigError(`${this.where([...decl.path, ...p])}: ${message}`);
  }
}

function hasTemplate(v: unknown): boolean {
  if (isTemplate(v)) return true;
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (v !== null && typeof v === 'object') return Object.values(v).some(hasTemplate);
  return false;
}
