/**
 * From a step as written to a step for one host: its `when` decided, its name, jail and
 * module arguments rendered with the host's variables, the arguments validated by the
 * module's schema and prepared (local files read, templates rendered). Used before any
 * host is contacted, and again at run time for steps that use registered variables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../util/errors.js';
import type { YamlPath } from '../util/yaml.js';
import { HOST } from '../modules/target.js';
import { jailName } from '../modules/names.js';
import type { LocalContext, Target } from '../modules/types.js';
import { issuesToErrors, throwIfAny } from './issues.js';
import { renderDeep, templateRefs } from './vars.js';
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
    const name = decl.name === undefined ? undefined : String(renderDeep(this.templater, decl.name, scope, () => locate(['name']), 'step name'));
    const jail = decl.jail === undefined ? undefined : String(renderDeep(this.templater, decl.jail, scope, () => locate(['jail']), 'jail'));
    if (jail !== undefined) {
      // The name goes to jls -j, jexec, pkg -j, service -j: a jail's name, never an option or a path.
      const checked = jailName.safeParse(jail);
      if (!checked.success) throw this.error(decl, ['jail'], `jail: ${JSON.stringify(jail)} is not a jail name: ${checked.error.issues[0]?.message}${isTemplate(decl.jail) ? ' (after templating)' : ''}`);
    }
    const rendered = renderDeep(this.templater, decl.rawArgs, scope, (p) => locate([decl.module.name, ...p]), `${decl.module.name} arguments`);
    const parsed = decl.module.args.safeParse(rendered);
    if (!parsed.success) {
      const errors = issuesToErrors(this.playbook.yaml, [...decl.path, decl.module.name], rendered, decl.module.args, parsed.error.issues, { what: `${decl.module.name} arguments` });
      throwIfAny(errors.map((e) => (isTemplate(decl.rawArgs) || hasTemplate(decl.rawArgs) ? new ConfigError(`${e.message} (after templating)`) : e)));
    }
    let args: unknown = parsed.data;
    if (decl.module.prepare) {
      try {
        args = decl.module.prepare(args, this.localContext(scope));
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`${locate([decl.module.name])}: ${e.message}`);
        throw e;
      }
    }
    return {
      decl,
      name: name ?? decl.module.describe(args),
      target: jail === undefined ? HOST : { kind: 'jail', name: jail },
      args,
    };
  }

  private localContext(scope: Record<string, unknown>): LocalContext {
    const read = (rel: string) => {
      const file = path.resolve(this.playbook.dir, rel);
      try {
        return { file, text: fs.readFileSync(file, 'utf8') };
      } catch (e) {
        throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    };
    return {
      readFile: (rel) => read(rel).text,
      renderTemplate: (rel) => {
        const { file, text } = read(rel);
        try {
          return this.templater.renderText(text, scope);
        } catch (e) {
          if (e instanceof TemplateError) throw new ConfigError(`template ${file}${e.line ? `:${e.line}${e.col ? `:${e.col}` : ''}` : ''}: ${e.message}`);
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
