/** Playbooks and prepared hosts from inline YAML, for engine tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePlaybookText } from '../../../../src/playbook/load.js';
import { PlaybookPreparer, type HostPlan, type PrepareOptions } from '../../../../src/playbook/prepare.js';
import { ConfigError } from '../../../../src/util/errors.js';

export function writePlaybook(yaml: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fj-pb-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const file = path.join(dir, 'site.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

export function prepare(
  yaml: string,
  hosts: Array<{ name: string; vars?: Record<string, unknown> }>,
  opts: PrepareOptions = {},
): { preparer: PlaybookPreparer; plans: HostPlan[] } {
  const file = writePlaybook(yaml);
  const preparer = new PlaybookPreparer(parsePlaybookText(fs.readFileSync(file, 'utf8'), file), opts);
  const plans = preparer.prepareAll(hosts.map((h) => ({ name: h.name, inventoryVars: h.vars ?? {}, groups: ['all'] })));
  return { preparer, plans };
}

/** The message of the ConfigError FN throws (the test fails if it throws nothing or something else). */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
