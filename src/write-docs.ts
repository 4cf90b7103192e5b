import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from './api/openapi-doc.ts';
import { renderSecurityDocs } from './api/security-doc.ts';
import { renderConfigDocs } from './config/docs.ts';
import { eventJsonSchema } from './events/event-schema.ts';

/** Regenerates the generated docs (`npm run docs`): docs/config.md from the config schema, docs/event.schema.json from the event schema, docs/security.md and docs/openapi.json from the routes. */
const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
writeFileSync(docs('config.md'), renderConfigDocs());
writeFileSync(docs('event.schema.json'), `${JSON.stringify(eventJsonSchema(), null, 2)}\n`);
writeFileSync(docs('security.md'), await renderSecurityDocs());
writeFileSync(docs('openapi.json'), await renderOpenApiDocument());
console.log('wrote docs/config.md, docs/event.schema.json, docs/security.md and docs/openapi.json');
