// Protocol Buffers wire format (https://protobuf.dev/programming-guides/encoding/), read in place over a Uint8Array.

/** Wire types this reader understands: varint, fixed64, length-delimited, fixed32 (groups, 3 and 4, are refused). */
export type WireType = 0 | 1 | 2 | 5;

/** Wire type numbers by name. */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const WIRE_NAMES: Record<number, string> = {
  0: 'varint',
  1: 'fixed64',
  2: 'length-delimited',
  3: 'start-group',
  4: 'end-group',
  5: 'fixed32',
};

/** Malformed or truncated protobuf bytes; `offset` is the byte where reading failed. */
export class ProtobufError extends Error {
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(message);
    this.name = 'ProtobufError';
    this.offset = offset;
  }
}

/** One field of a message: its number, wire type, and where its tag and payload lie in the buffer. */
export interface ProtoField {
  readonly fieldNumber: number;
  readonly wireType: WireType;
  /** Byte offset of the field's tag. */
  readonly tagOffset: number;
  /** First byte of the payload (the varint itself, the fixed bytes, or the bytes after the length prefix). */
  readonly start: number;
  /** One past the payload's last byte. */
  readonly end: number;
}

const MAX_VARINT_BYTES = 10;

/** Offset one past the varint starting at `offset`, reading no further than `limit`. */
function skipVarint(bytes: Uint8Array, offset: number, limit: number, what: string): number {
  for (let i = offset; i < limit && i < offset + MAX_VARINT_BYTES; i++) {
    if (bytes[i]! < 0x80) return i + 1;
  }
  if (offset + MAX_VARINT_BYTES <= limit) {
    throw new ProtobufError(offset, `malformed varint (${what}) at byte ${offset}: expected at most ${MAX_VARINT_BYTES} bytes`);
  }
  throw new ProtobufError(offset, `truncated varint (${what}) at byte ${offset}: expected a last byte below 0x80 before byte ${limit}`);
}

/**
 * Decodes the unsigned varint at `offset` as a number; values above 2^53 - 1 throw (read them with readVarint64).
 * Returns the value and the offset after it.
 */
export function readVarint(bytes: Uint8Array, offset: number, limit = bytes.length): { value: number; next: number } {
  const next = skipVarint(bytes, offset, limit, 'value');
  if (next - offset > 7) {
    const big = readVarint64(bytes, offset, limit).value;
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtobufError(offset, `varint at byte ${offset} is ${big}, above 2^53 - 1; expected a value that fits a number`);
    }
    return { value: Number(big), next };
  }
  // Up to 7 bytes = 49 bits: exact in a double, and multiplication avoids 32-bit bitwise overflow.
  let value = 0;
  let scale = 1;
  for (let i = offset; i < next; i++) {
    value += (bytes[i]! & 0x7f) * scale;
    scale *= 128;
  }
  return { value, next };
}

/** Decodes the unsigned 64-bit varint at `offset` as a bigint (bits above 64 are dropped, as protobuf does). */
export function readVarint64(bytes: Uint8Array, offset: number, limit = bytes.length): { value: bigint; next: number } {
  const next = skipVarint(bytes, offset, limit, 'value');
  let value = 0n;
  for (let i = next - 1; i >= offset; i--) value = (value << 7n) | BigInt(bytes[i]! & 0x7f);
  return { value: BigInt.asUintN(64, value), next };
}

/** Iterates the fields of the message in `bytes[start, end)`, checking that each one fits inside it. */
export function* fields(bytes: Uint8Array, start = 0, end = bytes.length): Generator<ProtoField> {
  if (end > bytes.length) {
    throw new ProtobufError(bytes.length, `truncated message: expected ${end - start} bytes from byte ${start}, the buffer ends at byte ${bytes.length}`);
  }
  let pos = start;
  while (pos < end) {
    const tagOffset = pos;
    const tag = readVarint(bytes, pos, end);
    pos = tag.next;
    const fieldNumber = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (fieldNumber === 0) {
      throw new ProtobufError(tagOffset, `malformed tag at byte ${tagOffset}: expected a field number of 1 or more, got 0`);
    }
    let payloadStart = pos;
    switch (wireType) {
      case WIRE.varint:
        pos = skipVarint(bytes, pos, end, `field ${fieldNumber}`);
        break;
      case WIRE.fixed64:
      case WIRE.fixed32: {
        const size = wireType === WIRE.fixed64 ? 8 : 4;
        if (pos + size > end) {
          throw new ProtobufError(pos, `truncated ${WIRE_NAMES[wireType]} field ${fieldNumber} at byte ${tagOffset}: expected ${size} bytes, ${end - pos} remain before byte ${end}`);
        }
        pos += size;
        break;
      }
      case WIRE.bytes: {
        const len = readVarint(bytes, pos, end);
        payloadStart = len.next;
        if (len.value > end - payloadStart) {
          throw new ProtobufError(
            payloadStart,
            `truncated length-delimited field ${fieldNumber} at byte ${tagOffset}: expected ${len.value} bytes, ${end - payloadStart} remain before byte ${end}`,
          );
        }
        pos = payloadStart + len.value;
        break;
      }
      default:
        throw new ProtobufError(
          tagOffset,
          `unsupported wire type ${wireType} (${WIRE_NAMES[wireType] ?? 'invalid'}) for field ${fieldNumber} at byte ${tagOffset}: expected 0, 1, 2 or 5`,
        );
    }
    yield { fieldNumber, wireType: wireType as WireType, tagOffset, start: payloadStart, end: pos };
  }
}

/** Throws unless `field` has the wire type its schema gives it (`what` names the field in the message). */
export function expectWire(field: ProtoField, wireType: WireType, what: string): void {
  if (field.wireType !== wireType) {
    throw new ProtobufError(
      field.tagOffset,
      `field ${field.fieldNumber} (${what}) at byte ${field.tagOffset}: expected wire type ${wireType} (${WIRE_NAMES[wireType]}), got ${field.wireType} (${WIRE_NAMES[field.wireType]})`,
    );
  }
}

/** A varint field's value as a number: int32/int64/uint64 (negative int64 two's complement handled); throws beyond ±(2^53 - 1). */
export function intValue(bytes: Uint8Array, field: ProtoField, what = 'integer'): number {
  expectWire(field, WIRE.varint, what);
  if (field.end - field.start <= 7) return readVarint(bytes, field.start, field.end).value;
  const v = BigInt.asIntN(64, readVarint64(bytes, field.start, field.end).value);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufError(field.start, `field ${field.fieldNumber} (${what}) at byte ${field.tagOffset} is ${v}; expected a value that fits a number`);
  }
  return Number(v);
}

/** A varint field's value as a signed 64-bit bigint. */
export function int64Value(bytes: Uint8Array, field: ProtoField, what = 'int64'): bigint {
  expectWire(field, WIRE.varint, what);
  return BigInt.asIntN(64, readVarint64(bytes, field.start, field.end).value);
}

/** A length-delimited field's payload as a view into `bytes` (no copy). */
export function bytesValue(bytes: Uint8Array, field: ProtoField, what = 'bytes'): Uint8Array {
  expectWire(field, WIRE.bytes, what);
  return bytes.subarray(field.start, field.end);
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** A length-delimited field's payload decoded as UTF-8. */
export function stringValue(bytes: Uint8Array, field: ProtoField, what = 'string'): string {
  return utf8.decode(bytesValue(bytes, field, what));
}

const view = (bytes: Uint8Array, offset: number) => new DataView(bytes.buffer, bytes.byteOffset + offset);

/** The payload of a fixed-width field, checked for its wire type. */
function fixedView(bytes: Uint8Array, field: ProtoField, wireType: typeof WIRE.fixed32 | typeof WIRE.fixed64, what: string): DataView {
  expectWire(field, wireType, what);
  return view(bytes, field.start);
}

/** A fixed32 field as a little-endian float32. */
export const floatValue = (bytes: Uint8Array, field: ProtoField, what = 'float'): number =>
  fixedView(bytes, field, WIRE.fixed32, what).getFloat32(0, true);

/** A fixed32 field as an unsigned 32-bit integer. */
export const fixed32Value = (bytes: Uint8Array, field: ProtoField, what = 'fixed32'): number =>
  fixedView(bytes, field, WIRE.fixed32, what).getUint32(0, true);

/** A fixed64 field as a little-endian float64. */
export const doubleValue = (bytes: Uint8Array, field: ProtoField, what = 'double'): number =>
  fixedView(bytes, field, WIRE.fixed64, what).getFloat64(0, true);

/** A fixed64 field as an unsigned 64-bit bigint. */
export const fixed64Value = (bytes: Uint8Array, field: ProtoField, what = 'fixed64'): bigint =>
  fixedView(bytes, field, WIRE.fixed64, what).getBigUint64(0, true);

/** The values of a repeated integer field, which may arrive packed (one length-delimited field) or one varint each. */
export function packedInts(bytes: Uint8Array, field: ProtoField, what = 'repeated integer'): number[] {
  if (field.wireType === WIRE.varint) return [intValue(bytes, field, what)];
  expectWire(field, WIRE.bytes, what);
  const out: number[] = [];
  for (let pos = field.start; pos < field.end; ) {
    const end = skipVarint(bytes, pos, field.end, `${what} element`);
    out.push(intValue(bytes, { ...field, wireType: WIRE.varint, start: pos, end }, what));
    pos = end;
  }
  return out;
}

/** Appends protobuf fields to a growing buffer; `finish()` returns the encoded message. */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(MAX_VARINT_BYTES);
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      this.buf[this.len++] = v > 0n ? low | 0x80 : low;
    } while (v > 0n);
  }

  private tag(fieldNumber: number, wireType: WireType): void {
    if (!Number.isInteger(fieldNumber) || fieldNumber < 1 || fieldNumber > 0x1fffffff) {
      throw new RangeError(`field number must be an integer from 1 to 2^29 - 1, got ${fieldNumber}`);
    }
    this.rawVarint(fieldNumber * 8 + wireType);
  }

  /** An integer field (int32, int64, uint64, enum, bool); negative values take 10 bytes, as protobuf int64 does. */
  int(fieldNumber: number, value: number | bigint): this {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`field ${fieldNumber}: expected an integer, got ${value}`);
    this.tag(fieldNumber, WIRE.varint);
    this.rawVarint(value);
    return this;
  }

  /** Writes a fixed-width field: the tag, then `write` fills 4 or 8 little-endian bytes. */
  private fixed(fieldNumber: number, wireType: typeof WIRE.fixed32 | typeof WIRE.fixed64, write: (dv: DataView) => void): this {
    const size = wireType === WIRE.fixed32 ? 4 : 8;
    this.tag(fieldNumber, wireType);
    this.reserve(size);
    write(view(this.buf, this.len));
    this.len += size;
    return this;
  }

  /** A float32 field (fixed32). */
  float(fieldNumber: number, value: number): this {
    return this.fixed(fieldNumber, WIRE.fixed32, (dv) => dv.setFloat32(0, value, true));
  }

  /** A float64 field (fixed64). */
  double(fieldNumber: number, value: number): this {
    return this.fixed(fieldNumber, WIRE.fixed64, (dv) => dv.setFloat64(0, value, true));
  }

  /** A fixed32 field holding an unsigned 32-bit integer. */
  fixed32(fieldNumber: number, value: number): this {
    return this.fixed(fieldNumber, WIRE.fixed32, (dv) => dv.setUint32(0, value, true));
  }

  /** A fixed64 field holding an unsigned 64-bit integer. */
  fixed64(fieldNumber: number, value: bigint): this {
    return this.fixed(fieldNumber, WIRE.fixed64, (dv) => dv.setBigUint64(0, BigInt.asUintN(64, value), true));
  }

  /** A length-delimited field: raw bytes, or an embedded message given as its writer or its encoded bytes. */
  bytes(fieldNumber: number, value: Uint8Array | ProtoWriter): this {
    const payload = value instanceof ProtoWriter ? value.finish() : value;
    this.tag(fieldNumber, WIRE.bytes);
    this.rawVarint(payload.length);
    this.reserve(payload.length);
    this.buf.set(payload, this.len);
    this.len += payload.length;
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(fieldNumber: number, value: string): this {
    return this.bytes(fieldNumber, utf8Encoder.encode(value));
  }

  /** A packed repeated integer field. */
  packedInts(fieldNumber: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(fieldNumber, inner.finish());
  }

  /** A packed repeated float32 field. */
  packedFloats(fieldNumber: number, values: ArrayLike<number>): this {
    const payload = new Uint8Array(values.length * 4);
    const dv = new DataView(payload.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i]!, true);
    return this.bytes(fieldNumber, payload);
  }

  /** The encoded message so far (a copy; the writer can go on). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
