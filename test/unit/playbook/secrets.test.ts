/** Where secrets come from and how they are tracked through variables, templates and steps. */
import fs from 'node:fs';
import path from 'node:path';
import { Encrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { PlaybookPreparer } from '../../../src/playbook/prepare.js';
import { unlockVarSources } from '../../../src/playbook/unlock.js';
import { parseExtraVars } from '../../../src/playbook/extra-vars.js';
import { MASK } from '../../../src/util/secrets.js';
import { messageOf, writePlaybook } from '../engine/support/playbook.js';

const host = (name: string, vars: Record<string, unknown> = {}) => ({ name, inventoryVars: vars, groups: ['all'] });

async function ageFiles(dir: string, plaintext: string, armored = false): Promise<{ identityFile: string; file: string }> {
  const identity = await generateIdentity();
  const e = new Encrypter();
  e.addRecipient(await identityToRecipient(identity));
  const cipher = await e.encrypt(plaintext);
  const identityFile = path.join(dir, 'key.txt');
  fs.writeFileSync(identityFile, `# created: now\n# public key: ${await identityToRecipient(identity)}\n${identity}\n`, { mode: 0o600 });
  const file = path.join(dir, 'secrets.yaml.age');
  fs.writeFileSync(file, armored ? armor.encode(cipher) : cipher);
  return { identityFile, file };
}

async function prepared(
  yaml: string,
  files: Record<string, string>,
  opts: { plaintext?: string; armored?: boolean; identity?: boolean } = {},
) {
  const pb = writePlaybook(yaml, files);
  const dir = path.dirname(pb);
  let identities: string[] = [];
  if (opts.plaintext !== undefined) {
    const { identityFile } = await ageFiles(dir, opts.plaintext, opts.armored);
    identities = opts.identity === false ? [] : [identityFile];
  }
  const loaded = loadPlaybook(pb);
  const playbook = { ...loaded, varSources: await unlockVarSources(loaded.varSources, identities) };
  return { pb, preparer: new PlaybookPreparer(playbook) };
}

afterEach(() => {
  delete process.env.FJ_TEST_DB_PASSWORD;
});

describe('secret variables', () => {
  it('an age-encrypted vars file is decrypted and every variable in it is secret, also where a template embeds it', async () => {
    const { preparer } = await prepared(
      `
hosts: all
vars_files: [secrets.yaml.age]
vars: { dsn: "postgres://app:{{ db_password }}@db/app" }
steps:
  - file: { path: /etc/app.conf, content: "password={{ db_password | upcase }}\\n", mode: '0644' }
  - sysrc: { name: app_dsn, value: "{{ dsn }}" }
`,
      {},
      { plaintext: 'db_password: hunter22\napi: { token: tok-123456 }\n' },
    );
    const [plan] = preparer.prepareAll([host('h1')]);
    expect(plan?.steps[0]?.rendered?.args).toMatchObject({ content: 'password=HUNTER22\n' });
    const s = preparer.secrets;
    expect([...s.names].sort()).toEqual(['api', 'db_password', 'dsn']);
    // What the filter made of it is secret too, as the whole string (and line) it rendered.
    expect(s.mask('+password=HUNTER22 y hunter22 tok-123456 postgres://app:hunter22@db/app')).toBe(`+${MASK} y ${MASK} ${MASK} ${MASK}`);
    // The file written from a secret never shows its content.
    expect(s.isFileHidden('h1', '/etc/app.conf')).toBe(true);
  });

  it('reads armored age files too', async () => {
    const { preparer } = await prepared(
      'hosts: all\nvars_files: [secrets.yaml.age]\nsteps:\n  - sysrc: { name: a, value: "{{ pw }}" }\n',
      {},
      { plaintext: 'pw: correct-horse\n', armored: true },
    );
    preparer.prepareAll([host('h1')]);
    expect(preparer.secrets.mask('correct-horse')).toBe(MASK);
  });

  it('an encrypted file without an identity is a clear error', async () => {
    await expect(
      prepared(
        'hosts: all\nvars_files: [secrets.yaml.age]\nsteps:\n  - sysrc: { name: a, value: b }\n',
        {},
        { plaintext: 'pw: abcdef\n', identity: false },
      ),
    ).rejects.toThrow(
      /:2:14: .*secrets\.yaml\.age is encrypted with age: give its identity with --age-identity FILE or FLEETJAIL_AGE_IDENTITY_FILE/,
    );
  });

  it('a wrong identity is a clear error', async () => {
    const pb = writePlaybook('hosts: all\nvars_files: [secrets.yaml.age]\nsteps:\n  - sysrc: { name: a, value: b }\n');
    await ageFiles(path.dirname(pb), 'pw: abcdef\n');
    const other = path.join(path.dirname(pb), 'other.txt');
    fs.writeFileSync(other, `${await generateIdentity()}\n`);
    await expect(unlockVarSources(loadPlaybook(pb).varSources, [other])).rejects.toThrow(/cannot decrypt .*secrets\.yaml\.age/);
  });

  it('-e @FILE.age is secret as well', async () => {
    const dir = path.dirname(writePlaybook('hosts: all\nsteps: []\n'));
    const { identityFile, file } = await ageFiles(dir, 'root_pw: s3cret-root\n');
    const [source] = await unlockVarSources(parseExtraVars([`@${file}`]), [identityFile]);
    expect(source).toMatchObject({ secret: true, vars: { root_pw: 's3cret-root' } });
  });

  it('vars_from_env reads secrets from the environment; unset, the variable is undefined (another source may give it)', () => {
    process.env.FJ_TEST_DB_PASSWORD = 'from-the-ci';
    const pb = writePlaybook(
      'hosts: all\nvars_from_env: { db_password: FJ_TEST_DB_PASSWORD }\nsteps:\n  - sysrc: { name: a, value: "pw {{ db_password }}" }\n',
    );
    const p = new PlaybookPreparer(loadPlaybook(pb));
    expect(p.prepareAll([host('h1')])[0]?.steps[0]?.rendered?.args).toMatchObject({ value: 'pw from-the-ci' });
    expect(p.secrets.mask('from-the-ci')).toBe(MASK);
    delete process.env.FJ_TEST_DB_PASSWORD;
    expect(messageOf(() => new PlaybookPreparer(loadPlaybook(pb)).prepareAll([host('h1')]))).toBe(
      `${pb}:4:30: undefined variable 'db_password' in sysrc arguments (host h1)`,
    );
    const fromExtra = new PlaybookPreparer(loadPlaybook(pb), {
      extraVars: [{ vars: { db_password: 'given-by-e' }, locate: () => '-e', secret: true }],
    });
    expect(fromExtra.prepareAll([host('h1')])[0]?.steps[0]?.rendered?.args).toMatchObject({ value: 'pw given-by-e' });
  });

  it('refuses a secret shorter than 4 characters, naming where it was written', async () => {
    const { preparer } = await prepared(
      'hosts: all\nvars_files: [secrets.yaml.age]\nsteps:\n  - sysrc: { name: a, value: b }\n',
      {},
      { plaintext: 'pin: "123"\n' },
    );
    expect(messageOf(() => preparer.prepareAll([host('h1')]))).toMatch(/secrets\.yaml\.age:1:6: a secret needs at least 4 characters/);
  });

  it('a template file that reads a secret hides the file it renders, and its content is masked', async () => {
    process.env.FJ_TEST_DB_PASSWORD = 'tmpl-secret';
    const { preparer } = await prepared(
      `
hosts: all
vars_from_env: { pw: FJ_TEST_DB_PASSWORD }
steps:
  - file: { path: /etc/a.conf, template: a.liquid }
  - file: { path: /etc/b.conf, content: "public\\n", mode: '0600' }
  - file: { path: /etc/c.conf, content: "public\\n", mode: '0644' }
`,
      { 'a.liquid': 'user=app\npass={{ pw | append: "!" }}\n' },
    );
    preparer.prepareAll([host('h1')]);
    const s = preparer.secrets;
    expect([s.isFileHidden('h1', '/etc/a.conf'), s.isFileHidden('h1', '/etc/b.conf'), s.isFileHidden('h1', '/etc/c.conf')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(s.mask('pass=tmpl-secret!')).toBe(MASK);
  });

  it('no_log steps are known, and what they register is secret', () => {
    const pb = writePlaybook(`
hosts: all
steps:
  - command: { cmd: "cat /root/token" }
    no_log: true
    register: token
  - sysrc: { name: t, value: "{{ token.stdout }}" }
    no_log: false
`);
    const p = new PlaybookPreparer(loadPlaybook(pb));
    expect(p.playbook.steps.map((s) => s.noLog)).toEqual([true, false]);
    expect(p.secrets.isNoLog('steps[0]')).toBe(true);
    // Its default name would show its arguments.
    expect(p.prepareAll([host('h1')])[0]?.steps[0]?.rendered?.name).toBe('command (no_log)');
    // At run time, the registered output becomes a secret when it is read.
    const plan = p.prepareAll([host('h1')])[0]!;
    p.runtimeScope(plan.vars, { token: { stdout: 'tok-from-host', rc: 0 } });
    expect(p.secrets.mask('t=tok-from-host')).toBe(`t=${MASK}`);
  });

  it('a plain playbook has no secrets', () => {
    const p = new PlaybookPreparer(
      loadPlaybook(writePlaybook('hosts: all\nvars: { a: hello }\nsteps:\n  - sysrc: { name: a, value: "{{ a }}" }\n')),
    );
    p.prepareAll([host('h1')]);
    expect(p.secrets.size).toBe(0);
  });
});

describe('pf_quote', () => {
  it('makes a value one quoted pf string, and refuses what pf cannot quote', async () => {
    const { Templater } = await import('../../../src/playbook/template.js');
    const t = new Templater();
    expect(t.renderText('{ {% for c in clients %}{{ c | pf_quote }} {% endfor %}}', { clients: ['192.0.2.0/24', 'db.example.org'] })).toBe(
      '{ "192.0.2.0/24" "db.example.org" }',
    );
    for (const bad of ['a"b', 'a\\b', 'a\nb'])
      expect(() => t.renderText('{{ c | pf_quote }}', { c: bad })).toThrow(/cannot be a pf string/);
  });
});

describe('errors before the run', () => {
  it('a configuration error that quotes a secret value shows it masked', async () => {
    const { prepareFleetPlaybook } = await import('../../../src/playbook/fleet.js');
    const { loadInventories } = await import('../../../src/inventory/load.js');
    process.env.FJ_TEST_DB_PASSWORD = 'quoted-in-error';
    const pb = writePlaybook(
      'hosts: all\nvars_from_env: { pw: FJ_TEST_DB_PASSWORD }\nsteps:\n  - sysrc: { name: a, value: "{{ item }}" }\n    loop: "{{ pw }}"\n',
    );
    const inv = path.join(path.dirname(pb), 'inventory.yaml');
    fs.writeFileSync(inv, 'hosts: { h1: {} }\n');
    await expect(prepareFleetPlaybook({ playbookFile: pb, inventory: loadInventories([inv]) })).rejects.toThrow(
      `loop needs a list, got string "${MASK}"`,
    );
  });
});
