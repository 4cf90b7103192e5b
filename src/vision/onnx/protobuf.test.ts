import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bytesValue,
  doubleValue,
  fields,
  fixed32Value,
  fixed64Value,
  floatValue,
  int64Value,
  intValue,
  packedInts,
  ProtobufError,
  ProtoWriter,
  readVarint,
  readVarint64,
  stringValue,
  WIRE,
} from './protobuf.ts';

const only = (bytes: Uint8Array) => {
  const all = [...fields(bytes)];
  assert.equal(all.length, 1);
  return all[0]!;
};

test('varints round-trip through the writer', async (t) => {
  const cases: { name: string; value: number; size: number }[] = [
    { name: 'zero', value: 0, size: 1 },
    { name: 'one byte max', value: 127, size: 1 },
    { name: 'two bytes', value: 300, size: 2 },
    { name: '2^31', value: 2 ** 31, size: 5 },
    { name: '2^32 + 5 (past 32-bit bitwise)', value: 2 ** 32 + 5, size: 5 },
    { name: '2^49 (8 bytes)', value: 2 ** 49, size: 8 },
    { name: '2^53 - 1', value: Number.MAX_SAFE_INTEGER, size: 8 },
    { name: 'int64 -1 (10 bytes)', value: -1, size: 10 },
    { name: 'int64 -3549', value: -3549, size: 10 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const bytes = new ProtoWriter().int(3, c.value).finish();
      const f = only(bytes);
      assert.deepEqual([f.fieldNumber, f.wireType, f.tagOffset, f.start, f.end], [3, WIRE.varint, 0, 1, 1 + c.size]);
      assert.equal(intValue(bytes, f), c.value);
      assert.equal(int64Value(bytes, f), BigInt(c.value));
    });
  }
});

test('64-bit varints beyond 2^53 come back as bigint, and as a clear error when asked for a number', () => {
  const max = 2n ** 64n - 1n;
  const bytes = new ProtoWriter().int(1, max).finish();
  assert.equal(readVarint64(bytes, 1).value, max);
  assert.equal(int64Value(bytes, only(bytes)), -1n);
  const big = new ProtoWriter().int(1, 2n ** 60n).finish();
  assert.equal(int64Value(big, only(big)), 2n ** 60n);
  assert.throws(() => readVarint(big, 1), /varint at byte 1 is 1152921504606846976, above 2\^53 - 1/);
  assert.throws(() => intValue(big, only(big), 'dim_value'), /field 1 \(dim_value\) at byte 0 is 1152921504606846976; expected a value that fits a number/);
});

test('fixed-width fields', () => {
  const bytes = new ProtoWriter().float(1, 1.5).double(2, -0.1).fixed32(3, 0xdeadbeef).fixed64(4, 2n ** 63n + 7n).finish();
  const [f1, f2, f3, f4] = [...fields(bytes)];
  assert.equal(floatValue(bytes, f1!), 1.5);
  assert.equal(doubleValue(bytes, f2!), -0.1);
  assert.equal(fixed32Value(bytes, f3!), 0xdeadbeef);
  assert.equal(fixed64Value(bytes, f4!), 2n ** 63n + 7n);
  assert.deepEqual([f1!.end - f1!.start, f2!.end - f2!.start], [4, 8]);
});

test('length-delimited fields: strings, nested messages, packed values, views without copies', () => {
  const inner = new ProtoWriter().string(1, 'héllo').packedInts(2, [1, 300, -1]).packedFloats(3, [0.5, -2]);
  const bytes = new ProtoWriter().bytes(7, inner).int(8, 5).finish();
  const [msg, after] = [...fields(bytes)];
  assert.equal(intValue(bytes, after!), 5);
  const [s, ints, floats] = [...fields(bytes, msg!.start, msg!.end)];
  assert.equal(stringValue(bytes, s!), 'héllo');
  assert.deepEqual(packedInts(bytes, ints!), [1, 300, -1]);
  const raw = bytesValue(bytes, floats!);
  assert.equal(raw.buffer, bytes.buffer, 'a view into the same buffer');
  assert.deepEqual([...new Float32Array(raw.slice().buffer)], [0.5, -2]);
  // A repeated integer may also arrive unpacked, one varint field per value.
  const unpacked = new ProtoWriter().int(2, 4).int(2, 9).finish();
  assert.deepEqual([...fields(unpacked)].flatMap((f) => packedInts(unpacked, f)), [4, 9]);
});

test('fields() walks a sub-range and skips a 4 MB payload without reading it', () => {
  const big = new Uint8Array(4 << 20).fill(0xff); // 0xff bytes would be a malformed varint if they were read
  const bytes = new ProtoWriter().string(1, 'a').bytes(9, big).string(8, 'name').finish();
  const t0 = performance.now();
  const all = [...fields(bytes)];
  const ms = performance.now() - t0;
  assert.deepEqual(all.map((f) => f.fieldNumber), [1, 9, 8]);
  assert.equal(all[1]!.end - all[1]!.start, big.length);
  assert.ok(ms < 50, `${ms.toFixed(1)} ms`);
  assert.deepEqual([...fields(bytes, all[2]!.tagOffset, all[2]!.end)].map((f) => stringValue(bytes, f)), ['name']);
});

test('malformed and truncated input names the byte offset and what was expected', async (t) => {
  const cases: { name: string; bytes: number[]; offset: number; message: RegExp }[] = [
    { name: 'varint cut short', bytes: [0x08, 0x80, 0x80], offset: 1, message: /truncated varint \(field 1\) at byte 1: expected a last byte below 0x80 before byte 3/ },
    { name: 'tag cut short', bytes: [0x80], offset: 0, message: /truncated varint \(value\) at byte 0/ },
    { name: 'eleven-byte varint', bytes: [0x08, ...Array(10).fill(0xff), 0x01], offset: 1, message: /malformed varint \(field 1\) at byte 1: expected at most 10 bytes/ },
    { name: 'length past the end', bytes: [0x0a, 0x05, 0x61, 0x62], offset: 2, message: /truncated length-delimited field 1 at byte 0: expected 5 bytes, 2 remain before byte 4/ },
    { name: 'fixed32 cut short', bytes: [0x0d, 0x00, 0x00], offset: 1, message: /truncated fixed32 field 1 at byte 0: expected 4 bytes, 2 remain/ },
    { name: 'fixed64 cut short', bytes: [0x09, 0x00], offset: 1, message: /truncated fixed64 field 1 at byte 0: expected 8 bytes, 1 remain/ },
    { name: 'start-group wire type', bytes: [0x08, 0x01, 0x0b], offset: 2, message: /unsupported wire type 3 \(start-group\) for field 1 at byte 2: expected 0, 1, 2 or 5/ },
    { name: 'wire type 7', bytes: [0x0f], offset: 0, message: /unsupported wire type 7 \(invalid\) for field 1 at byte 0/ },
    { name: 'field number 0', bytes: [0x00, 0x01], offset: 0, message: /malformed tag at byte 0: expected a field number of 1 or more, got 0/ },
    { name: 'text is not protobuf', bytes: [...new TextEncoder().encode('this is not a model')], offset: 0, message: /unsupported wire type 4 \(end-group\) for field 14 at byte 0/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(
        () => [...fields(Uint8Array.from(c.bytes))],
        (err) => err instanceof ProtobufError && err.offset === c.offset && c.message.test(err.message),
      );
    });
  }
  await t.test('a sub-range that ends past the buffer', () => {
    assert.throws(() => [...fields(new Uint8Array(4), 0, 10)], /truncated message: expected 10 bytes from byte 0, the buffer ends at byte 4/);
  });
  await t.test('a field read as the wrong type', () => {
    const bytes = new ProtoWriter().int(2, 1).finish();
    assert.throws(() => stringValue(bytes, only(bytes), 'producer_name'), /field 2 \(producer_name\) at byte 0: expected wire type 2 \(length-delimited\), got 0 \(varint\)/);
  });
});

test('the writer refuses field numbers and integers protobuf cannot hold', () => {
  assert.throws(() => new ProtoWriter().int(0, 1), /field number must be an integer from 1 to 2\^29 - 1, got 0/);
  assert.throws(() => new ProtoWriter().int(1, 1.5), /field 1: expected an integer, got 1.5/);
});
