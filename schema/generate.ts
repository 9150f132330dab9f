// Writes schema/playbook.schema.json from the zod schemas: npx tsx schema/generate.ts
import fs from 'node:fs';
import { playbookJsonSchema } from '../src/playbook/json-schema.js';

fs.writeFileSync(new URL('./playbook.schema.json', import.meta.url), JSON.stringify(playbookJsonSchema(), null, 2) + '\n');
