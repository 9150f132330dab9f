/**
 * YAML files with positions, so that every complaint about a value can name
 * file:line:column. Shared by inventories and playbooks:
 *
 *   const y = YamlFile.load('site.yaml');
 *   const value = y.value();                          // plain JS
 *   throw y.error(['hosts', 'web1', 'port'], 'port must be a number');
 *   // → ConfigError "site.yaml:7:11: port must be a number"
 *
 * Paths are keys and sequence indexes from the document root. `<<` merge keys are honoured.
 */
import fs from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { ConfigError, type SourcePos } from './errors.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface PosOptions {
  /** Point at the key of the last path element rather than at its value (where a misspelled key is). */
  key?: boolean;
}

export class YamlFile {
  private js: unknown;

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static load(file: string): YamlFile {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
    }
    return YamlFile.parse(file, text);
  }

  /** FILE only names the text in messages. Syntax errors and duplicate keys are ConfigErrors. */
  static parse(file: string, text: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const { line, col } = lines.linePos(first.pos[0]);
      const what = first.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error';
      throw new ConfigError(`YAML ${what}: ${first.message.split('\n')[0]}`, file, line, col);
    }
    return new YamlFile(file, doc, lines);
  }

  /** The whole document as plain JavaScript values (null for an empty document). */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 }) ?? null;
  }

  /** The value at PATH as plain JavaScript (a copy the caller may change), or undefined when there is nothing there. */
  valueAt(path: YamlPath): unknown {
    this.js ??= this.value();
    let v: unknown = this.js;
    for (const k of path) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) return undefined;
      v = (v as Record<string | number, unknown>)[k];
    }
    return v !== null && typeof v === 'object' ? structuredClone(v) : v;
  }

  /** The node at PATH (the root node for []), or undefined. */
  node(path: YamlPath): Node | undefined {
    const n = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    return n && typeof n === 'object' ? (n as Node) : undefined;
  }

  /** 1-based line and column of the value at PATH (or of its key); falls back to the nearest enclosing node. */
  pos(path: YamlPath, opts: PosOptions = {}): { line: number; col: number } {
    if (opts.key && path.length > 0) {
      const pair = this.pair(path.slice(0, -1), path[path.length - 1] as string | number);
      const k = pair?.key as Node | undefined;
      if (k?.range) return this.lines.linePos(k.range[0]);
    }
    for (let i = path.length; i >= 0; i--) {
      const n = this.node(path.slice(0, i));
      if (n?.range) return this.lines.linePos(n.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /** pos() with the file name: a SourcePos to keep for later messages. */
  location(path: YamlPath, opts: PosOptions = {}): SourcePos {
    return { file: this.file, ...this.pos(path, opts) };
  }

  /** A ConfigError pointing at PATH: "file:line:col: message". */
  error(path: YamlPath, message: string, opts: PosOptions = {}): ConfigError {
    const { line, col } = this.pos(path, opts);
    return new ConfigError(message, this.file, line, col);
  }

  /** Keys of the mapping at PATH in file order, including keys brought in by `<<` merges. */
  keys(path: YamlPath): string[] {
    const n = this.node(path);
    if (!isMap(n)) return [];
    const keys: string[] = [];
    const add = (k: string) => {
      if (!keys.includes(k)) keys.push(k);
    };
    for (const p of n.items) {
      if (isMergeKey(p)) for (const source of this.mergeSources(p)) for (const k of source) add(k);
      else add(keyString(p));
    }
    return keys;
  }

  isMapping(path: YamlPath): boolean {
    return isMap(this.node(path));
  }

  isSequence(path: YamlPath): boolean {
    return isSeq(this.node(path));
  }

  private pair(parentPath: YamlPath, key: string | number): Pair | undefined {
    const parent = this.node(parentPath);
    return isMap(parent) ? parent.items.find((p) => !isMergeKey(p) && keyString(p) === String(key)) : undefined;
  }

  /** The key lists of the mappings a `<<` pair merges in (an alias, or a sequence of aliases). */
  private mergeSources(p: Pair): string[][] {
    const resolve = (v: unknown): unknown => (isAlias(v) ? v.resolve(this.doc) : v);
    const value = resolve(p.value);
    const sources = isSeq(value) ? value.items.map(resolve) : [value];
    return sources.filter(isMap).map((m) => m.items.map(keyString));
  }
}

function isMergeKey(p: Pair): boolean {
  return isScalar(p.key) && typeof p.key.value === 'symbol';
}

function keyString(p: Pair): string {
  return String(isScalar(p.key) ? p.key.value : p.key);
}
