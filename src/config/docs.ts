import { z } from 'zod';
import { ConfigSchema } from './schema.ts';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode | JsonSchemaNode[];
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  const?: unknown;
}

/** The configuration as a JSON schema (input side: what a user may write). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function typeOf(n: JsonSchemaNode): string {
  if (n.const !== undefined) return `\`${String(n.const)}\``;
  if (n.oneOf) return n.oneOf.map((v) => (v.properties?.['type']?.const !== undefined ? `type=${String(v.properties['type'].const)}` : typeOf(v))).join(' \\| ');
  if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (n.anyOf) return n.anyOf.map(typeOf).join(' \\| ');
  if (n.prefixItems) return `[${n.prefixItems.map(typeOf).join(', ')}]`;
  const t = Array.isArray(n.type) ? n.type.join(' \\| ') : (n.type ?? 'any');
  if ((t === 'number' || t === 'integer') && n.minimum !== undefined && n.maximum !== undefined) return `${t} ${n.minimum}..${n.maximum}`;
  if (t === 'array' && n.items && !Array.isArray(n.items)) return n.items.oneOf ? `(${typeOf(n.items)})[]` : `${typeOf(n.items)}[]`;
  return t;
}

function rows(n: JsonSchemaNode, path: string, out: string[][]): void {
  if (path) out.push([`\`${path}\``, typeOf(n), n.default === undefined ? '' : `\`${JSON.stringify(n.default)}\``, n.description ?? '']);
  if (n.properties) for (const [k, child] of Object.entries(n.properties)) rows(child, path ? `${path}.${k}` : k, out);
  if (n.items && !Array.isArray(n.items) && n.items.properties) rows({ ...n.items, description: undefined, default: undefined, type: undefined }, `${path}[]`, out);
  // A tagged union (rules): one block of rows per variant, named by its tag.
  if (n.items && !Array.isArray(n.items) && n.items.oneOf) {
    for (const variant of n.items.oneOf) {
      const tag = variant.properties?.['type']?.const;
      rows({ ...variant, default: undefined, type: 'object' }, `${path}[type=${String(tag)}]`, out);
    }
  }
}

/** Renders docs/config.md from the schema, so the reference can never drift from the code (pure). */
export function renderConfigDocs(): string {
  const out: string[][] = [];
  rows(configJsonSchema() as JsonSchemaNode, '', out);
  const table = out
    .filter((r) => !r[0]!.endsWith('[]`') || r[3])
    .map((r) => `| ${r.map((c) => c.replace(/\n/g, ' ')).join(' | ')} |`)
    .join('\n');
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`; a test fails when this file is stale. -->',
    '',
    'Sightline reads one YAML file (`--config FILE` or env `SIGHTLINE_CONFIG`), then applies environment overrides:',
    '`SIGHTLINE_` + the path in upper snake case with `__` between levels, e.g. `SIGHTLINE_SERVER__PORT=9090`,',
    '`SIGHTLINE_DATABASE__URL=postgres://...`, `SIGHTLINE_CAMERAS__0__DETECT__FPS=10`, `SIGHTLINE_ASSETS=/path`.',
    'Values are parsed as JSON when they can be (numbers, booleans, lists) and taken as text otherwise.',
    'Unknown keys are errors. Check a file with `npx sightline config check FILE`.',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    table,
    '',
  ].join('\n');
}
