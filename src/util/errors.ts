/** Where something was written: file:line:column, 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/**
 * A problem with the operator's input (inventory, playbook, ssh_config, options), found
 * before any host is contacted. The CLI prints it and exits 1. Positions are 1-based;
 * the message reads "file:line:col: what is wrong".
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(file ? `${file}${line ? `:${line}${col ? `:${col}` : ''}` : ''}: ${message}` : message);
    this.name = 'ConfigError';
  }

  /** A ConfigError at a remembered position (undefined: no position). */
  static at(pos: SourcePos | undefined, message: string): ConfigError {
    return pos ? new ConfigError(message, pos.file, pos.line, pos.col) : new ConfigError(message);
  }
}
