/**
 * YAML files with positions: every error about a value can name file:line:column.
 * Used for inventories and playbooks.
 */
import fs from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from './errors.js';

export type YamlPath = ReadonlyArray<string | number>;

export class YamlFile {
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

  static parse(file: string, text: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const { line, col } = lines.linePos(first.pos[0]);
      throw new ConfigError(`YAML ${first.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${first.message.split('\n')[0]}`, file, line, col);
    }
    return new YamlFile(file, doc, lines);
  }

  /** The document as plain JavaScript values. */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** The node at PATH (keys and sequence indexes), or undefined. */
  node(path: YamlPath): Node | undefined {
    const n = this.doc.getIn(path, true);
    return n && typeof n === 'object' ? (n as Node) : undefined;
  }

  /** Position of the value at PATH; with key=true, of its key (where a typo is). Falls back to the nearest parent. */
  pos(path: YamlPath, opts: { key?: boolean } = {}): { line: number; col: number } {
    if (opts.key && path.length > 0) {
      const parent = this.doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const last = path[path.length - 1];
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(last));
        const k = pair?.key as Node | undefined;
        if (k?.range) return this.lines.linePos(k.range[0]);
      }
    }
    for (let i = path.length; i >= 0; i--) {
      const n = this.doc.getIn(path.slice(0, i), true) as Node | undefined;
      if (n && typeof n === 'object' && n.range) return this.lines.linePos(n.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /** A ConfigError pointing at PATH. */
  error(path: YamlPath, message: string, opts: { key?: boolean } = {}): ConfigError {
    const { line, col } = this.pos(path, opts);
    return new ConfigError(message, this.file, line, col);
  }

  /** Keys of the mapping at PATH, in file order. */
  keys(path: YamlPath): string[] {
    const n = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    return isMap(n) ? n.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)) : [];
  }

  isMapping(path: YamlPath): boolean {
    return isMap(path.length === 0 ? this.doc.contents : this.doc.getIn(path, true));
  }

  isSequence(path: YamlPath): boolean {
    return isSeq(this.doc.getIn(path, true));
  }
}
