/**
 * Before any host is contacted: for every selected host, its variables resolved, each
 * step's `when` decided and its arguments rendered and validated wherever that does not
 * depend on a registered variable. Problems are ConfigErrors, collected over the fleet and
 * reported once each with the hosts they affect.
 */
import { ConfigError } from '../util/errors.js';
import { Secrets } from '../util/secrets.js';
import { PlaybookErrors } from './issues.js';
import type { Playbook, StepDecl, VarSource } from './model.js';
import { StepRenderer, type RenderedStep } from './render-step.js';
import { Templater } from './template.js';
import { resolveVars, templateRefs } from './vars.js';
import { expandLoop } from './loop.js';

export interface PreparedStep {
  decl: StepDecl;
  /** false: skipped; 'runtime': decided when the run reaches the step (it reads registered variables). */
  when: boolean | 'runtime';
  /** Undefined when the arguments read registered variables: rendered when reached. */
  rendered?: RenderedStep;
  /** Found before the run, but only an error if the step runs (its `when` is decided at run time). */
  pendingError?: ConfigError;
  /** A looped step's `item` and `loop_index`, for rendering it at run time too. */
  loopScope?: Record<string, unknown>;
}

/** Decides and renders, when the run reaches it, a step that reads results registered by earlier steps. */
export interface RuntimeRenderer {
  when(plan: HostPlan, step: PreparedStep, registered: Record<string, unknown>): boolean;
  render(plan: HostPlan, step: PreparedStep, registered: Record<string, unknown>): RenderedStep;
}

export interface HostPlan {
  host: string;
  steps: PreparedStep[];
  handlers: PreparedStep[];
  vars: HostVarLayers;
}

/** What run-time rendering needs to rebuild the host's scope with registered results. */
export interface HostVarLayers {
  below: VarSource[];
  above: VarSource[];
}

export interface HostInput {
  name: string;
  /** The inventory's variables for this host (all < groups < host). */
  inventoryVars: Record<string, unknown>;
  groups: string[];
}

export interface PrepareOptions {
  extraVars?: VarSource[];
  tags?: string[];
  skipTags?: string[];
}

export class PlaybookPreparer {
  readonly templater = new Templater();
  readonly renderer: StepRenderer;
  /** The run's secret values, no_log steps and hidden files: what every output masks (src/report/redact.ts). */
  readonly secrets = new Secrets();
  private readonly registeredNames: Set<string>;

  constructor(
    readonly playbook: Playbook,
    private readonly opts: PrepareOptions = {},
  ) {
    this.renderer = new StepRenderer(playbook, this.templater, this.secrets);
    this.registeredNames = new Set(
      [...playbook.steps, ...playbook.handlers].map((s) => s.register).filter((r): r is string => r !== undefined),
    );
    for (const s of [...playbook.steps, ...playbook.handlers].filter((d) => d.noLog)) {
      this.secrets.markNoLog(s.id);
      // What a no_log step registers (its output) is as secret as the step.
      if (s.register) this.secrets.taint(s.register, true);
    }
  }

  /** Every host prepared, or one PlaybookErrors naming each distinct problem once. */
  prepareAll(hosts: HostInput[]): HostPlan[] {
    const plans: HostPlan[] = [];
    const problems = new Map<string, string[]>();
    for (const h of hosts) {
      try {
        plans.push(this.prepareHost(h));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const err of e instanceof PlaybookErrors ? e.errors : [e])
          problems.set(err.message, [...(problems.get(err.message) ?? []), h.name]);
      }
    }
    if (problems.size > 0) {
      const errors = [...problems].map(([message, names]) => new ConfigError(`${message} (${hostList(names, hosts.length)})`));
      throw errors.length === 1 ? errors[0] : new PlaybookErrors(errors);
    }
    return plans;
  }

  prepareHost(h: HostInput): HostPlan {
    const vars = this.layers(h);
    const resolved = resolveVars(this.templater, [...vars.below, ...vars.above], this.registeredNames, this.secrets);
    const late = new Set([...this.registeredNames, ...resolved.deferred]);
    const errors: ConfigError[] = [];
    const collect = <T>(fallback: T, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        errors.push(...(e instanceof PlaybookErrors ? e.errors : [e]));
        return fallback;
      }
    };
    const prepare = (decl: StepDecl): PreparedStep => collect({ decl, when: false }, () => this.prepareStep(decl, resolved.values, late));
    const expand = (decl: StepDecl): PreparedStep[] => {
      if (decl.loop === undefined) return [prepare(decl)];
      const items = collect([], () => expandLoop(decl, resolved.values, late, this.templater, this.playbook.yaml));
      return items.map(({ decl: itemDecl, scope, label }) =>
        collect({ decl: itemDecl, when: false }, () => {
          const step: PreparedStep = { ...this.prepareStep(itemDecl, { ...resolved.values, ...scope }, late), loopScope: scope };
          // "jail www" twice in a report says nothing: name the item unless the name already does.
          if (
            step.rendered &&
            !templateRefs(this.templater, decl.name).some((r) => r === 'item' || r === 'loop_index') &&
            !step.rendered.name.includes(label)
          ) {
            step.rendered = { ...step.rendered, name: `${step.rendered.name} (${label})` };
          }
          return step;
        }),
      );
    };
    const selected = this.playbook.steps.filter((s) => this.selected(s));
    for (const decl of selected) collect(undefined, () => this.requireRegistered(decl));
    const steps = selected.flatMap(expand);
    const handlers = this.playbook.handlers.map(prepare);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new PlaybookErrors(errors);
    return { host: h.name, steps, handlers, vars };
  }

  /** What the engine needs at run time: a step that reads registered results, decided and rendered when reached. */
  runtimeRenderer(): RuntimeRenderer {
    const scope = (plan: HostPlan, step: PreparedStep, registered: Record<string, unknown>) => ({
      ...this.runtimeScope(plan.vars, registered),
      ...step.loopScope,
    });
    return {
      when: (plan, step, registered) => this.renderer.when(step.decl, scope(plan, step, registered)),
      render: (plan, step, registered) => this.renderer.render(step.decl, scope(plan, step, registered)),
    };
  }

  /** The scope for a step reached at run time, with the results registered so far. */
  runtimeScope(vars: HostVarLayers, registered: Record<string, unknown>): Record<string, unknown> {
    const layer: VarSource = { vars: registered, locate: (name) => `registered variable '${name}'` };
    return resolveVars(this.templater, [...vars.below, layer, ...vars.above], new Set(), this.secrets).values;
  }

  private prepareStep(decl: StepDecl, scope: Record<string, unknown>, late: Set<string>): PreparedStep {
    const whenIsLate = this.renderer.whenRefs(decl).some((r) => late.has(r));
    const when = whenIsLate ? 'runtime' : this.renderer.when(decl, scope);
    if (when === false) return { decl, when };
    if (this.renderer.argRefs(decl).some((r) => late.has(r))) return { decl, when };
    try {
      return { decl, when, rendered: this.renderer.render(decl, scope) };
    } catch (e) {
      // A step whose `when` is decided at run time may be guarding exactly this variable.
      if (when === 'runtime' && e instanceof ConfigError) return { decl, when, pendingError: e };
      throw e;
    }
  }

  private layers(h: HostInput): HostVarLayers {
    const inventory: VarSource = { vars: h.inventoryVars, locate: (name) => `inventory variable '${name}' of ${h.name}` };
    const magic: VarSource = {
      vars: { inventory_hostname: h.name, group_names: h.groups.filter((g) => g !== 'all') },
      locate: (name) => `built-in variable '${name}'`,
    };
    return { below: [inventory, ...this.playbook.varSources], above: [...(this.opts.extraVars ?? []), magic] };
  }

  /** A step that reads a variable which only steps left out by --tags / --skip-tags register cannot run. */
  private requireRegistered(decl: StepDecl): void {
    const registrars = [...this.playbook.steps, ...this.playbook.handlers].filter((s) => s.register !== undefined);
    for (const name of new Set([...this.renderer.whenRefs(decl), ...this.renderer.argRefs(decl)])) {
      const by = registrars.filter((s) => s.register === name);
      if (by.length === 0 || by.some((s) => s.handler || this.selected(s))) continue;
      const { line, col } = this.playbook.yaml.pos(decl.path);
      const which = by.map((s) => `'${s.name ?? s.id}'`).join(', ');
      throw new ConfigError(
        `${this.playbook.file}:${line}:${col}: this step reads '${name}', registered by ${which}, which --tags/--skip-tags leaves out; select that step too (or tag it \`always\`)`,
      );
    }
  }

  /** --tags / --skip-tags; a step tagged `always` runs unless its tag is skipped. */
  private selected(s: StepDecl): boolean {
    const { tags = [], skipTags = [] } = this.opts;
    if (s.tags.some((t) => skipTags.includes(t))) return false;
    return tags.length === 0 || s.tags.includes('always') || s.tags.some((t) => tags.includes(t));
  }
}

function hostList(names: string[], total: number): string {
  if (names.length === total && total > 1) return `all ${total} hosts`;
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `hosts ${shown} and ${names.length - 3} more` : names.length === 1 ? `host ${shown}` : `hosts ${shown}`;
}
