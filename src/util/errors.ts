/**
 * A problem with the operator's input (inventory, playbook, options), found before any
 * host is contacted. The CLI prints it and exits 1. Positions are 1-based.
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
}
