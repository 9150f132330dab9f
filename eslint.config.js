// ESLint (flat config). TypeScript: typescript-eslint's recommended rules plus the type-aware
// rules that catch real bugs in async code (a forgotten await, a promise passed where a
// callback is expected). The lab's emulated FreeBSD commands (test/lab/**/*.cjs) are plain
// CommonJS run by node. Formatting is Prettier's (.prettierrc.json): eslint-config-prettier
// turns off the rules it owns.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What git ignores (build output, labs, local notes) is not linted either, as Prettier does by default. */
const gitIgnored = fs
  .readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '.gitignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .flatMap((l) => (l.endsWith('/') ? [l] : [l, `${l}/`]));

/** What node gives a CommonJS script besides the ECMAScript built-ins. */
const nodeCommonJsGlobals = Object.fromEntries(
  [
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'process',
    'Buffer',
    'console',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'URL',
    'TextDecoder',
    'TextEncoder',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: gitIgnored },
  js.configs.recommended,
  {
    rules: {
      // Deliberate here: terminal escaping and secret masking match control characters, and the
      // tests match column-aligned command output whose runs of spaces read best as written.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests poke into JSON documents and hostile inputs; \`any\` there is the honest type.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeCommonJsGlobals },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { globals: { console: 'readonly' } },
  },
  prettier,
  {
    // Prettier breaks code at 140 columns but leaves long strings and comments alone: comments are held
    // to it here; a string, template, regular expression or URL may run longer rather than be cut.
    rules: {
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
