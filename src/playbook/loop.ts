/**
 * `loop:` on a step: the step once per item, each run with `item` and `loop_index` in its
 * scope. The list is decided before any host is contacted, from the host's variables (it
 * cannot depend on a registered result); each item then behaves like a step of its own
 * (its own `when`, arguments, result line), with an id of its own: "steps[3][0]", ...
 */
import { ConfigError } from '../util/errors.js';
import type { YamlFile } from '../util/yaml.js';
import type { StepDecl } from './model.js';
import { renderDeep, templateRefs } from './vars.js';
import type { Templater } from './template.js';

export interface LoopItem {
  decl: StepDecl;
  /** What the item adds to the step's scope. */
  scope: { item: unknown; loop_index: number };
  /** Shown after the step's name when the name does not already depend on the item. */
  label: string;
}

export function expandLoop(
  decl: StepDecl,
  scope: Record<string, unknown>,
  late: ReadonlySet<string>,
  templater: Templater,
  yaml: YamlFile,
): LoopItem[] {
  const where = () => {
    const { line, col } = yaml.pos([...decl.path, 'loop']);
    return `${yaml.file}:${line}:${col}`;
  };
  const lateRef = templateRefs(templater, decl.loop).find((r) => late.has(r));
  if (lateRef !== undefined) {
    throw new ConfigError(`${where()}: loop reads '${lateRef}', a registered result: the items of a loop are decided before the run`);
  }
  const items = renderDeep(templater, decl.loop, scope, where, 'loop');
  if (!Array.isArray(items)) throw new ConfigError(`${where()}: loop needs a list, got ${describe(items)}`);
  return items.map((item, i) => ({
    decl: { ...decl, id: `${decl.id}[${i}]` },
    scope: { item, loop_index: i },
    label: labelOf(item, i),
  }));
}

function labelOf(item: unknown, i: number): string {
  if (item !== null && typeof item === 'object' && 'name' in item && ['string', 'number'].includes(typeof item.name))
    return String(item.name);
  if (['string', 'number', 'boolean'].includes(typeof item)) return String(item);
  return `#${i + 1}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
