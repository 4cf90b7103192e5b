import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from './errors.ts';

test('docs/errors.md documents every error code', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, { httpStatus }] of Object.entries(ERROR_CODES)) assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${httpStatus} \\|`), code);
});
