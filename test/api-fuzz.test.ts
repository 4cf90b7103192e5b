// Property-based fuzzing of the whole HTTP API with authentication on, over PGlite and PostgreSQL: every route in
// /api/openapi.json is called under every kind of principal (anonymous, revoked key, ended session, garbage
// credentials, a session and a key of each role, a camera-scoped key) with inputs derived from the document's
// schemas: valid-looking values and real ids, wrong JSON types, missing and extra fields, huge strings, deep JSON,
// path traversal, encoded slashes, control characters, unicode, negative and huge numbers, repeated query keys,
// invalid JSON and wrong content types. Per call: never a 5xx, every 4xx is `{error:{code,message}}` with a catalogued
// code, a principal below the route's role never gets a 2xx, and a 4xx changes no stored data (users, keys, live
// sessions, events' keep, outbox, deliveries, destination switches; the audit log and last-used times may change).
//
// Reproduce a failure with the seed and path fast-check prints: FUZZ_SEED=<seed> (the route's index is added);
// FUZZ_RUNS sets the calls per database (default 2000).
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../src/core/errors.ts';
import { postgresBackend } from '../src/store/test-databases.ts';
import { ADMIN_PASSWORD, openTestDatabase, startAuthServer, USER_PASSWORD, type AuthServer, type Credential } from './support/auth-server.ts';
import { presenceEvent } from './support/events.ts';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_611);
const TOTAL_RUNS = Number(process.env['FUZZ_RUNS'] ?? 2000);
const SACRIFICE_PASSWORD = 'sacrificial-password-for-fuzz';

// ---------------------------------------------------------------------------------------------------------------
// The OpenAPI document as far as the fuzzer reads it.

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Parameter { name: string; in: string; required?: boolean; schema?: Schema }
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly access: string;
  readonly query: readonly Parameter[];
  readonly pathParams: readonly string[];
  readonly body: Schema | null;
}

function operations(doc: { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; 'x-access'?: string }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(), path, access: op['x-access'] ?? 'viewer',
        query: params.filter((p) => p.in === 'query'),
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------------------------
// Values: valid-looking ones (from the schema and real ids) and malformed ones.

/** Marks where a raw, deeply nested JSON text replaces a string after JSON.stringify (too deep to build as a value). */
const DEEP = '\u0001DEEP\u0001';
const deepJson = (depth: number, kind: 'array' | 'object') => (kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

const NASTY = [
  '../../etc/passwd', '../../../../../../etc/passwd', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%252e%252e%252f', '..\\..\\windows\\win.ini',
  '/etc/passwd', 'cam1/../cam2', 'cam1%2f..%2fcam2', '%2F', '%00', '\u0000', 'a\u0000b', '\r\n', '\t', '\u007f', '\u202eRTL\u202c', 'مرحبا بالعالم', 'שלום',
  '𝕊𝕚𝕘𝕙𝕥𝕝𝕚𝕟𝕖', '😀👍🏽👨‍👩‍👧', '\ud800', '\udfff', '\ufeff', '\u200b', 'é', 'e\u0301', 'İ', '-1', '0', '-0', '1e308', '-1e308', '1e-320', 'NaN', 'Infinity', '-Infinity',
  '9'.repeat(40), '18446744073709551616', '9223372036854775808', '-9223372036854775809', '999999999999999999', '0x10', '1.5', '01', '+1', ' 1', '',
  ' ', 'null', 'true', 'false', '[]', '{}', '[object Object]', 'undefined', "' OR 1=1 --", '"; DROP TABLE users; --', '%', '%zz', '%%', '%25', '%u0041', '%C0%AE',
  '${jndi:ldap://x/a}', '{{7*7}}', '<script>alert(1)</script>', '__proto__', 'constructor', 'prototype', 'CAM1', 'cam1 ', 'cam1\u0000', 'slk_', 'Bearer',
];

const numbers = fc.oneof(
  fc.constantFrom(-1, -0, 0, 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, 2 ** 64, -(2 ** 63), 0.5, 5e-324, 8.64e15 + 1),
  fc.integer(),
  fc.double(),
);
/** NUL and other control characters, and separators that are not ASCII. */
const CONTROL = ['\u0001', '\u0008', '\u001b', '\u001f', '\u007f', '\u0085', '\u2028', '\u2029', '\ufffe', '\uffff'];
/** `value` with a control character put somewhere in it. */
const spliced = (value: fc.Arbitrary<string>) => fc.tuple(value, fc.oneof(fc.constant('\u0000'), fc.constantFrom(...CONTROL)), fc.nat()).map(([v, c, at]) => { const i = at % (v.length + 1); return v.slice(0, i) + c + v.slice(i); });
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: spliced(fc.string({ maxLength: 12 })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: numbers.map(String) },
);
/** 10k to 100k characters (bodies; the server refuses bodies over 64 KiB). */
const hugeText = fc.tuple(fc.integer({ min: 10_000, max: 100_000 }), fc.constantFrom('a', 'é', '😀', '\u0000', '/', '%2e', '\u202e')).map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
/** Long, but a URL stays under Node's 16 KiB header limit (a longer one is answered by Node itself, before the API). */
const longUrlText = fc.tuple(fc.integer({ min: 201, max: 3000 }), fc.constantFrom('a', '.', '/', '../', '%', 'é', '😀', '\u0000')).map(([n, c]) => c.repeat(Math.max(1, Math.floor(n / (Buffer.byteLength(c) * 3)))));

const scalar = fc.oneof(fc.constant(null), fc.boolean(), numbers, text);
const jsonAny: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
/** A wrong value for any field: another JSON type, a nasty or huge string, deep JSON. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: jsonAny },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: fc.constant(DEEP) },
);

/** Real and plausible values by the name of the field or parameter. */
function hints(ids: Ids): Record<string, fc.Arbitrary<string>> {
  const time = fc.oneof(fc.constantFrom(String(Date.now()), String(Date.now() - 3_600_000), '0', '1', '-1', '1e12'), fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((n) => String(n * 1000)));
  const smallInt = fc.oneof(fc.constantFrom('1', '10', '50', '500', '1000', '0', '1001', '-5'), fc.nat({ max: 2000 }).map(String));
  const loginName = fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'nobody', 'ghost.user', 'x@y'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,20}$/))
    .filter((n) => !['admin', 'viewer1', 'operator1'].includes(n.toLowerCase()));
  return {
    camera: fc.constantFrom('cam1', 'cam2', 'cam3'),
    zone: fc.constantFrom('yard', 'all', 'none'),
    line: fc.constantFrom('door', 'road'),
    label: fc.constantFrom('person', 'car', 'dog'),
    type: fc.constantFrom('presence', 'line', 'loiter'),
    rule: fc.constantFrom('all', 'door'),
    severity: fc.constantFrom('info', 'warning', 'critical'),
    status: fc.constantFrom('pending', 'failed', 'delivered', 'dead'),
    destination: fc.constantFrom('hook', 'nope'),
    event: fc.constantFrom(...ids.events),
    actor: fc.constantFrom('admin', 'key:admin-key', 'anonymous', 'system'),
    action: fc.constantFrom('user.', 'auth.login', 'key.create', 'event.keep'),
    from: time, to: time, before: time, expires: time,
    limit: smallInt,
    bucket: fc.constantFrom('60000', '3600000', '86400000', '1m', '1h', '1d', '0', '59999'),
    fps: fc.constantFrom('5', '0', '0.1', '30', '1000'),
    sig: fc.constantFrom('abc', 'a'.repeat(43), ''),
    username: loginName,
    password: fc.constantFrom('wrong-password-1', 'short', 'another-long-password-2024', SACRIFICE_PASSWORD, 'password'),
    currentPassword: fc.constantFrom('wrong-password-1', 'not-it-either'),
    newPassword: fc.constantFrom('password', 'brand-new-password-2024', 'x'),
    name: fc.constantFrom('fuzz key', 'k', 'ключ 🔑'),
  };
}

/** A value that matches `schema` (strings come from the hints by field name where there are some). */
function fromSchema(schema: Schema, name: string, h: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => fromSchema(s, name, h)));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const base = schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.max(schema.minLength ?? 0, Math.min(schema.maxLength ?? 30, 30)) });
      return h[name] ? fc.oneof({ weight: 2, arbitrary: h[name] }, { weight: 1, arbitrary: base }) : base;
    }
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = Math.max(schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000), -(2 ** 31));
      const max = Math.min(schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 2 ** 31 - 1), 2 ** 31 - 1);
      const soon = Date.now() + 86_400_000;
      return soon >= (schema.minimum ?? -Infinity) && soon <= (schema.maximum ?? Infinity) ? fc.oneof(fc.integer({ min, max }), fc.constant(soon)) : fc.integer({ min, max });
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(fromSchema(schema.items ?? {}, name === 'cameras' ? 'camera' : name, h), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object': {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, fromSchema(s, k, h)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    default:
      return jsonAny;
  }
}

/** A body for an operation with a JSON schema: valid, or with a field missing, added, or of a wrong value, or all wrong. */
function bodyValue(schema: Schema, h: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<{ value: unknown; note: string }> {
  const valid = fromSchema(schema, '', h) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const arbs: fc.WeightedArbitrary<{ value: unknown; note: string }>[] = [
    { weight: 4, arbitrary: valid.map((value) => ({ value, note: 'valid' })) },
    { weight: 2, arbitrary: fc.tuple(valid, fc.string({ maxLength: 12 }), badValue).map(([v, k, x]) => ({ value: { ...v, [k === '' ? 'extra' : k]: x }, note: 'extra field' })) },
    { weight: 4, arbitrary: jsonAny.map((value) => ({ value, note: 'another JSON type' })) },
  ];
  if (required.length > 0) {
    arbs.push({ weight: 2, arbitrary: fc.tuple(valid, fc.constantFrom(...required)).map(([v, k]) => { const { [k]: _gone, ...rest } = v; return { value: rest, note: `without ${k}` }; }) });
  }
  const stringKeys = keys.filter((k) => { const t = schema.properties![k]!; return t.type === 'string' || t.items?.type === 'string'; });
  if (stringKeys.length > 0) {
    // A valid value with a control character in it (PostgreSQL's text cannot hold NUL).
    arbs.push({ weight: 2, arbitrary: fc.tuple(valid, fc.constantFrom(...stringKeys), spliced(fc.string({ minLength: 1, maxLength: 12 }))).map(([v, k, x]) => ({
      value: { ...v, [k]: schema.properties![k]!.type === 'string' ? x : [x] }, note: `control character in ${k}`,
    })) });
  }
  if (keys.length > 0) {
    arbs.push({ weight: 5, arbitrary: fc.tuple(valid, fc.constantFrom(...keys), badValue).map(([v, k, x]) => ({ value: { ...v, [k]: x }, note: `wrong ${k}` })) });
    arbs.push({ weight: 1, arbitrary: valid.map((v) => ({ value: JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(v).slice(1)}`.replace(',}', '}')) as unknown, note: '__proto__' })) });
  }
  return fc.oneof(...arbs);
}

// Raw bodies: invalid JSON, deep JSON, prototype keys, empty.
const RAW_BODIES = [
  '', '{', '}', '{"a":', '[1,2', 'nul', 'tru', '{"keep":tru}', "{'keep':true}", '{"keep":true,}', '{"keep":true}{"keep":false}', '\u0000', '\ufeff{}', '"just a string"', '123',
  'null', '[]', '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"keep":1e999}',
  'keep=true', '--x\r\ncontent-disposition: form-data; name="keep"\r\n\r\ntrue\r\n--x--', '<keep>true</keep>',
];
const rawBody = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RAW_BODIES) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1000, max: 5000 }), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => deepJson(d, k)) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 5000 }).map((d) => '['.repeat(d)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: hugeText.map((s) => JSON.stringify({ a: s })) },
);
const CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'APPLICATION/JSON', 'application/jsonx', 'application/json, text/plain', 'application/merge-patch+json', '*/*', 'json', '',
];

interface Body { readonly text: string; readonly contentType: string | null; readonly note: string }

function bodyArb(op: Operation, h: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Body | null> {
  const json = (v: { value: unknown; note: string }) => {
    let t = JSON.stringify(v.value) ?? 'null';
    if (t.includes(JSON.stringify(DEEP))) t = t.replace(JSON.stringify(DEEP), deepJson(5000, 'array'));
    return t;
  };
  const raw = rawBody.map((t) => ({ text: t, contentType: 'application/json', note: 'raw' }));
  const wrongType = fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.oneof(rawBody, jsonAny.map((v) => JSON.stringify(v) ?? ''))).map(([ct, t]) => ({ text: t, contentType: ct, note: 'content type' }));
  if (op.body === null) {
    // Routes without a body get one now and then (and a JSON content type with nothing after it).
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant({ text: '', contentType: 'application/json', note: 'empty json' }) },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: wrongType },
    );
  }
  const schemaBodies = bodyValue(op.body, h).map((v) => ({ text: json(v), contentType: 'application/json', note: v.note }));
  return fc.oneof(
    { weight: 8, arbitrary: schemaBodies },
    { weight: 2, arbitrary: raw },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: schemaBodies.map((b) => ({ ...b, contentType: null, note: `${b.note}, no content type` })) },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// URLs: path parameters and query strings, percent-encoded, or raw (only what Node cannot send is escaped).

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Percent-encodes the UTF-8 bytes of `s` (a lone surrogate becomes U+FFFD); `raw` leaves printable ASCII as it is. */
function encode(s: string, raw: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && (raw ? b > 0x20 && b < 0x7f : UNRESERVED.test(c)) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface Ids {
  readonly events: readonly string[];
  /** Ids the fuzzer may change or delete (never the users and keys it signs in with). */
  readonly all: readonly string[];
  /** The real ids of each resource (the path's second part: cameras, events, users, keys, destinations, deliveries). */
  readonly byResource: Readonly<Record<string, readonly string[]>>;
  readonly cameraOf: ReadonlyMap<string, string>;
}

function pathArb(op: Operation, ids: Ids): fc.Arbitrary<{ path: string; values: Record<string, string> }> {
  const own = ids.byResource[op.path.split('/')[2] ?? ''] ?? ids.all;
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...own) },
    { weight: 1, arbitrary: fc.constantFrom(...ids.all) },
    { weight: 3, arbitrary: text },
    { weight: 1, arbitrary: longUrlText },
  );
  const segmentPath = fc.oneof(
    fc.constantFrom('cam1/2024-01-01/1700000000000-1700000060000.mp4', 'cam2/2024-01-01/1-2.mp4', 'cam1/2024-13-45/5-4.mp4', '../../etc/passwd', 'cam1/../../../../etc/passwd',
      '..%2f..%2fetc%2fpasswd', '%2e%2e/%2e%2e/etc/passwd', '....//....//etc/passwd', 'cam1\\..\\..\\x.mp4', 'cam1/2024-01-01/%00.mp4', 'cam1//2024-01-01/1-2.mp4', '/etc/passwd', 'status',
      'cam1/2024-01-01/1-2.mp4?x=1', 'cam1/2024-01-01/1-2.mp4%00.jpg'),
    fc.array(text, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
    longUrlText,
  );
  const one = (name: string) => fc.tuple(name === '*' ? segmentPath : id, fc.constantFrom(false, false, true)).map(([v, raw]) => ({ name, value: v, encoded: name === '*' && !raw ? v.split('/').map((p) => encode(p, false)).join('/') : encode(v, raw) }));
  return fc.tuple(...op.pathParams.map(one)).map((parts) => {
    let path = op.path;
    const values: Record<string, string> = {};
    for (const p of parts) {
      path = path.replace(`{${p.name}}`, p.encoded);
      values[p.name] = p.value;
    }
    return { path, values };
  });
}

function queryArb(op: Operation, h: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<{ qs: string; pairs: [string, string][] }> {
  const names = op.query.map((p) => p.name);
  const good = (p: Parameter) => h[p.name] ?? (fromSchema(p.schema ?? { type: 'string' }, p.name, h) as fc.Arbitrary<unknown>).map(String);
  const bad = (p: Parameter) => fc.oneof({ weight: 3, arbitrary: text }, { weight: 3, arbitrary: spliced(good(p)) }, { weight: 1, arbitrary: longUrlText });
  const any = (p: Parameter) => fc.oneof(good(p), bad(p));
  const present = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
  // Mostly one wrong parameter among valid-looking ones (several wrong ones hide each other behind the first 400).
  const declared: fc.Arbitrary<(readonly [string, string] | undefined)[]> = op.query.length === 0 ? fc.constant([]) : fc.oneof(
    { weight: 2, arbitrary: fc.tuple(...op.query.map((p) => present(good(p).map((v) => [p.name, v] as const)))) },
    { weight: 5, arbitrary: fc.nat({ max: op.query.length - 1 }).chain((wrong) => fc.tuple(...op.query.map((p, i) => (i === wrong ? bad(p).map((v) => [p.name, v] as const) : present(good(p).map((v) => [p.name, v] as const)))))) },
    { weight: 1, arbitrary: fc.tuple(...op.query.map((p) => present(any(p).map((v) => [p.name, v] as const)))) },
  );
  const extraName = fc.oneof(fc.constantFrom(...names, 'unknown', '__proto__', 'constructor', 'camera[]', 'a[b]', 'limit', ''), fc.string({ maxLength: 10 }));
  const extras = fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(extraName, text), { minLength: 1, maxLength: 3 }) });
  return fc.tuple(declared, extras, fc.constantFrom(false, false, true)).map(([d, e, raw]) => {
    const pairs: [string, string][] = [...d.filter((x) => x !== undefined).map(([k, v]) => [k, v] as [string, string]), ...e];
    // Raw: `&`, `=`, `#` and `%` go out as they are (structure fuzz); Node cannot send spaces or control characters.
    const qs = pairs.map(([k, v]) => `${encode(k, raw)}=${encode(v, raw)}`).join('&');
    return { qs, pairs };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Principals.

const LEVEL: Record<string, number> = { open: 0, static: 0, self: 1, metrics: 1, viewer: 1, operator: 2, admin: 3 };
const CREDENTIALS = [
  'anonymous', 'revoked key', 'ended session', 'garbage', 'session:viewer', 'session:operator', 'session:admin', 'key:viewer', 'key:operator', 'key:admin', 'key:operator@cam2',
] as const;
type CredentialName = (typeof CREDENTIALS)[number];
const levelOf = (c: CredentialName) => (c.includes('admin') ? 3 : c.includes('operator') ? 2 : c.includes('viewer') ? 1 : 0);

interface Pick { readonly name: CredentialName; readonly csrf: boolean; readonly crossSite: boolean; readonly garbage: Record<string, string> }
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const garbageHeaders = fc.oneof(
  printable.map((v) => ({ authorization: v })),
  printable.map((v) => ({ authorization: `Bearer ${v}` })),
  fc.constantFrom({ authorization: 'Bearer' }, { authorization: 'Bearer ' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, { authorization: `Bearer slk_${'a'.repeat(300)}` }, { authorization: 'bearer slk_x' }),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => ({ cookie: `sightline_session=${t}` })),
  printable.map((v) => ({ cookie: `sightline_session=${v}` })),
  printable.map((v) => ({ cookie: v })),
);
/** Principals for a route needing `level`: mostly ones that get past its door (to the validation and the handler), the rest any. */
const pickArb = (level: number): fc.Arbitrary<Pick> => fc.record({
  name: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...CREDENTIALS.filter((c) => levelOf(c) >= Math.max(level, 1))) },
    { weight: 2, arbitrary: fc.constantFrom(...CREDENTIALS) },
  ),
  csrf: fc.constantFrom(true, true, true, true, true, false),
  crossSite: fc.constantFrom(false, false, false, false, false, false, false, true),
  garbage: garbageHeaders,
});

// ---------------------------------------------------------------------------------------------------------------
// HTTP, and the stored state a 4xx must leave alone.

interface Answer { readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer; readonly streamed: boolean }

function send(port: number, agent: Agent, method: string, path: string, headers: Record<string, string>, body: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === null ? null : Buffer.from(body, 'utf8');
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) } }, (res) => {
      // A stream that goes on for ever (MJPEG): the head is the answer.
      if (String(res.headers['content-type'] ?? '').startsWith('multipart/x-mixed-replace')) {
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0), streamed: true });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), streamed: false }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}

/** The stored, user-visible state (audit log, last-used and last-seen times left out). */
const SNAPSHOT_SQL = `SELECT
  (SELECT coalesce(string_agg(id::text || ':' || keep::text || ':' || version::text, ',' ORDER BY id), '') FROM events) AS events,
  (SELECT coalesce(string_agg(concat_ws(':', id, username, role, password_hash, must_change_password::text, disabled::text, updated_ms::text), ',' ORDER BY id), '') FROM users) AS users,
  (SELECT coalesce(string_agg(concat_ws(':', id, name, role, coalesce(camera_ids::text, '-'), coalesce(revoked_ms::text, '-'), coalesce(expires_ms::text, '-')), ',' ORDER BY id), '') FROM api_keys) AS keys,
  (SELECT count(*) FROM sessions WHERE revoked_ms IS NULL)::text AS live_sessions,
  (SELECT count(*) FROM outbox_messages)::text AS messages,
  (SELECT coalesce(string_agg(concat_ws(':', id::text, status, attempts::text, next_attempt_ms::text), ',' ORDER BY id), '') FROM deliveries) AS deliveries,
  (SELECT coalesce(string_agg(concat_ws(':', destination_id, disabled::text, changed_ms::text), ',' ORDER BY destination_id), '') FROM destination_state) AS destinations,
  (SELECT count(*) FROM zone_occupancy)::text AS occupancy,
  (SELECT count(*) FROM line_counts)::text AS line_counts`;
const snapshot = async (db: AuthServer['db']) => (await db.query<Record<string, string>>(SNAPSHOT_SQL))[0]!;



const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

// ---------------------------------------------------------------------------------------------------------------
// The fuzz run on one database.

async function fuzz(t: TestContext, kind: 'pglite' | 'postgres'): Promise<void> {
  const opened = await openTestDatabase(kind);
  assert.ok(opened, `no ${kind} database`);
  const server = await startAuthServer(opened.db);
  const port = Number(new URL(server.url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = Date.now();
  const stats = { calls: 0, byClass: {} as Record<string, number> };
  try {
    // Set-up through the admin's session (keys are made from sessions, not with keys).
    const adminKey = server.sessions.admin.headers(true);
    const api = async (method: string, path: string, body?: unknown) => {
      const a = await send(port, agent, method, path, { ...adminKey, ...(body ? { 'content-type': 'application/json' } : {}) }, body ? JSON.stringify(body) : null);
      assert.ok(a.status < 300, `${method} ${path}: ${a.status} ${a.body.toString()}`);
      return a.body.length > 0 ? (JSON.parse(a.body.toString()) as Record<string, any>) : {};
    };
    // Users and keys the fuzzer may change or delete, a key limited to cam2, and a delivery.
    const users = [
      (await api('POST', '/api/users', { username: 'fuzz-a', password: SACRIFICE_PASSWORD, role: 'viewer' }))['id'] as string,
      (await api('POST', '/api/users', { username: 'fuzz-b', password: SACRIFICE_PASSWORD, role: 'operator' }))['id'] as string,
    ];
    const keys = [
      (await api('POST', '/api/keys', { name: 'fuzz-key-1', role: 'viewer' }))['record'].id as string,
      (await api('POST', '/api/keys', { name: 'fuzz-key-2', role: 'operator', cameras: ['cam1'] }))['record'].id as string,
    ];
    const scoped = (await api('POST', '/api/keys', { name: 'cam2-only', role: 'operator', cameras: ['cam2'] }))['key'] as string;
    const cam2Event = presenceEvent({ cameraId: 'cam2', startMs: Date.now() - 5000 });
    await server.events.upsert(cam2Event, { kind: 'start', destinationIds: ['hook'], nowMs: Date.now() });
    const deliveryIds = (await server.db.query<{ id: string }>('SELECT id::text AS id FROM deliveries ORDER BY id')).map((r) => r.id);
    assert.ok(deliveryIds.length > 0, 'a delivery was stored');
    const ids: Ids = {
      events: [...server.eventIds, cam2Event.id],
      all: [...server.eventIds, cam2Event.id, 'cam1', 'cam2', 'hook', ...users, ...keys, ...deliveryIds, '0', '1', '99999'],
      byResource: { cameras: ['cam1', 'cam2'], events: [...server.eventIds, cam2Event.id], users, keys, destinations: ['hook'], deliveries: deliveryIds },
      cameraOf: new Map([...server.eventIds.map((e) => [e, 'cam1'] as const), [cam2Event.id, 'cam2'], ['cam1', 'cam1'], ['cam2', 'cam2']]),
    };
    const h = hints(ids);

    // Sessions are logged in again when the fuzzer logs one out.
    const sessions: Record<string, Credential> = { viewer: server.sessions.viewer, operator: server.sessions.operator, admin: server.sessions.admin };
    const LOGIN = { viewer: ['viewer1', USER_PASSWORD], operator: ['operator1', USER_PASSWORD], admin: ['admin', ADMIN_PASSWORD] } as const;
    const headersFor = (p: Pick, change: boolean): Record<string, string> => {
      const extra: Record<string, string> = p.crossSite ? { 'sec-fetch-site': 'cross-site' } : {};
      switch (p.name) {
        case 'anonymous': return { ...server.anonymous.headers(change), ...extra };
        case 'revoked key': return { ...server.revokedKey.headers(change), ...extra };
        case 'ended session': return { ...server.endedSession.headers(change), ...extra };
        case 'garbage': return { ...p.garbage, ...extra };
        case 'key:operator@cam2': return { authorization: `Bearer ${scoped}`, ...extra };
        default: {
          const [kindName, role] = p.name.split(':') as ['session' | 'key', 'viewer' | 'operator' | 'admin'];
          return { ...(kindName === 'session' ? sessions[role]!.headers(change && p.csrf) : server.keys[role].headers(change)), ...extra };
        }
      }
    };

    const doc = await api('GET', '/api/openapi.json');
    const ops = operations(doc as never);
    assert.ok(ops.length >= 30, `the document lists ${ops.length} operations`);
    const weight = (op: Operation) => 2 + op.query.length * 0.5 + op.pathParams.length + (op.body ? 3 : 0);
    const totalWeight = ops.reduce((n, op) => n + weight(op), 0);

    for (const [index, op] of ops.entries()) {
      const numRuns = Math.max(10, Math.round((TOTAL_RUNS * weight(op)) / totalWeight));
      const change = !['GET', 'HEAD'].includes(op.method);
      const requestArb = fc.record({ pick: pickArb(LEVEL[op.access] ?? 1), path: pathArb(op, ids), query: queryArb(op, h), body: bodyArb(op, h) });
      await t.test(`${op.method} ${op.path} (${numRuns} calls)`, async () => {
        await fc.assert(
          fc.asyncProperty(requestArb, async ({ pick, path, query, body }) => {
            const url = path.path + (query.qs ? `?${query.qs}` : '');
            const headers = { ...headersFor(pick, change), ...(body?.contentType ? { 'content-type': body.contentType } : {}) };
            const before = await snapshot(server.db);
            let answer: Answer;
            try {
              answer = await send(port, agent, op.method, url, headers, body?.text ?? null);
            } catch (err) {
              throw new Error(`${describe()}\nno answer: ${(err as Error).message}`);
            }
            stats.calls++;
            const cls = `${Math.floor(answer.status / 100)}xx`;
            stats.byClass[cls] = (stats.byClass[cls] ?? 0) + 1;
            const answerText = answer.body.toString('utf8');
            function describe() {
              return [
                `${op.method} ${cut(url, 400)}`,
                `as ${pick.name}${pick.crossSite ? ' (sec-fetch-site: cross-site)' : ''}${pick.name.startsWith('session') && change ? (pick.csrf ? ' with CSRF token' : ' without CSRF token') : ''}; headers: ${cut(JSON.stringify(headers), 300)}`,
                `body (${body?.note ?? 'none'}): ${body ? cut(JSON.stringify(body.text), 300) : '-'}`,
              ].join('\n');
            }
            const fail = (why: string): never => {
              throw new Error(`${why}\n${describe()}\nanswer: ${answer.status} ${JSON.stringify(answer.headers['content-type'] ?? null)} ${cut(answerText, 600)}`);
            };
            if (answer.status >= 500) fail('a 5xx');
            if (answer.status < 200) fail('an informational answer');
            if (answer.status >= 400) {
              let parsed: unknown;
              try {
                parsed = JSON.parse(answerText);
              } catch {
                fail('a 4xx whose body is not JSON');
              }
              const e = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
              if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) fail('a 4xx that is not application/json');
              if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).join() !== 'error' || !e || Object.keys(e).sort().join() !== 'code,message') fail('a 4xx that is not {error:{code,message}}');
              if (typeof e!.code !== 'string' || !(e!.code in ERROR_CODES)) fail(`a 4xx with a code not in ERROR_CODES: ${String(e!.code)}`);
              if (typeof e!.message !== 'string' || e!.message === '') fail('a 4xx without a message');
              const after = await snapshot(server.db);
              for (const key of Object.keys(before)) {
                if (before[key] !== after[key]) fail(`a 4xx changed stored ${key}:\n  before ${cut(before[key]!, 400)}\n  after  ${cut(after[key]!, 400)}`);
              }
            } else {
              // A principal below the route's role never gets through; a key for cam2 never sees cam1.
              const needed = LEVEL[op.access] ?? 1;
              if (levelOf(pick.name) < needed) fail(`a ${answer.status} for ${pick.name} on a route for ${op.access}`);
              if (pick.name === 'key:operator@cam2' && (ids.cameraOf.get(path.values['id'] ?? '') === 'cam1' || query.pairs.some(([k, v]) => k === 'camera' && v === 'cam1'))) {
                fail(`a ${answer.status} for a key limited to cam2 about cam1`);
              }
              if (op.path === '/api/auth/logout' && pick.name.startsWith('session:')) {
                const role = pick.name.split(':')[1] as keyof typeof LOGIN;
                sessions[role] = await server.login(LOGIN[role][0], LOGIN[role][1]);
              }
            }
          }),
          { numRuns, seed: SEED + index, includeErrorInReport: true },
        );
      });
    }

    // The server is still up, and the fuzzer's principals still work (a lost one would have hidden routes from it).
    const health = await send(port, agent, 'GET', '/api/health', {}, null);
    assert.equal(health.status, 200, health.body.toString());
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      for (const cred of [sessions[role]!, server.keys[role]]) {
        const a = await send(port, agent, 'GET', '/api/auth/session', cred.headers(), null);
        assert.equal(a.status, 200, `${cred.name} still signs in: ${a.body.toString()}`);
      }
    }
    t.diagnostic(`${kind}: ${stats.calls} calls over ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s; ${JSON.stringify(stats.byClass)}`);
  } finally {
    agent.destroy();
    await server.stop();
    await opened.dispose();
  }
}

test('API fuzz on PGlite: no 5xx, errors in shape, no change on a 4xx', { timeout: 300_000 }, (t) => fuzz(t, 'pglite'));

if (postgresBackend('API fuzz on PostgreSQL: no 5xx, errors in shape, no change on a 4xx')) {
  test('API fuzz on PostgreSQL: no 5xx, errors in shape, no change on a 4xx', { timeout: 300_000 }, (t) => fuzz(t, 'postgres'));
}
