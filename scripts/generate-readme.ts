// Rewrites README.md's module table from the modules: npx tsx scripts/generate-readme.ts
import fs from 'node:fs';
import { MODULES } from '../src/modules/registry.js';
import { moduleTable, withModuleTable } from './readme-modules.js';

const readme = new URL('../README.md', import.meta.url);
fs.writeFileSync(readme, withModuleTable(fs.readFileSync(readme, 'utf8'), moduleTable(MODULES)));
