import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from './docs.ts';

/** Regenerates docs/config.md from the schema (`npm run docs:config`). */
const target = fileURLToPath(new URL('../../docs/config.md', import.meta.url));
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target}`);
