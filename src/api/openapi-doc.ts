/**
 * docs/openapi.json: the API's OpenAPI 3.1 document, as `GET /api/openapi.json` serves it, written by `npm run docs`.
 * The dashboard's payload types are generated from this file (web/: `npm run api-types`), so they cannot drift from
 * the routes.
 */
import { documentServer } from './security-doc.ts';

export async function renderOpenApiDocument(): Promise<string> {
  const app = await documentServer();
  try {
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
