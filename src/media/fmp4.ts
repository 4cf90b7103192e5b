/**
 * Fragmented MP4 (ISO BMFF) as ffmpeg writes it with `-movflags empty_moov+default_base_moof+frag_every_frame`:
 * an init segment (`ftyp` + `moov`), then `moof` + `mdat` pairs. Pure: splits a byte stream into the init segment and
 * whole fragments, reads each fragment's start time, duration and whether it starts with a keyframe, and rewrites
 * fragment times so fragments from several runs play as one timeline.
 */

/** The init segment: everything a decoder needs before the first fragment. */
export interface InitSegment {
  readonly kind: 'init';
  readonly data: Buffer;
  /** RFC 6381 codec string for Media Source Extensions, e.g. `avc1.4d401f`; null for a codec this reader does not know. */
  readonly codec: string | null;
  /** Media time units per second of the (first) track. */
  readonly timescale: number;
  readonly width: number;
  readonly height: number;
}

/** One `moof` + `mdat` pair. */
export interface Fragment {
  readonly kind: 'fragment';
  readonly data: Buffer;
  /** True when the fragment's first sample is a sync sample (a keyframe): playback and segments can start here. */
  readonly keyframe: boolean;
  /** Decode time of the first sample, in timescale units (`tfdt`). */
  readonly startTicks: number;
  /** Sum of the sample durations, in timescale units. */
  readonly durationTicks: number;
  /**
   * Presentation time of the first sample (decode time plus its composition offset), in timescale units: where a
   * player (Media Source Extensions, which reads no edit list in a fragmented stream) puts that frame.
   */
  readonly ptsTicks: number;
}

export type Fmp4Part = InitSegment | Fragment;

/** Defaults from the init segment (`trex`) that fragments may rely on. */
interface TrackDefaults {
  readonly duration: number;
  readonly flags: number;
}

const SAMPLE_IS_NON_SYNC = 0x0001_0000;

interface Box {
  readonly type: string;
  /** Offset of the box header. */
  readonly start: number;
  /** Offset of the payload (after size and type). */
  readonly body: number;
  readonly end: number;
}

/** The boxes directly inside `buf[from, to)`; stops at a box that does not fit. */
function children(buf: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  let i = from;
  while (i + 8 <= to) {
    let size = buf.readUInt32BE(i);
    let header = 8;
    if (size === 1) {
      if (i + 16 > to) break;
      size = Number(buf.readBigUInt64BE(i + 8));
      header = 16;
    } else if (size === 0) size = to - i;
    if (size < header || i + size > to) break;
    out.push({ type: buf.toString('latin1', i + 4, i + 8), start: i, body: i + header, end: i + size });
    i += size;
  }
  return out;
}

/** The first box along `path` (each step a child of the previous) inside `box`, or null. */
function find(buf: Buffer, box: Box, ...path: string[]): Box | null {
  let cur: Box | null = box;
  for (const type of path) {
    cur = children(buf, cur.body, cur.end).find((b) => b.type === type) ?? null;
    if (!cur) return null;
  }
  return cur;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** Reads the parts of an init segment that the live view and the recorder need. */
export function readInit(data: Buffer): InitSegment {
  const top = children(data, 0, data.length);
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) throw new Error('expected an init segment with a moov box');
  const trak = find(data, moov, 'trak');
  const mdhd = trak && find(data, trak, 'mdia', 'mdhd');
  let timescale = 90_000;
  if (mdhd) timescale = data.readUInt32BE(mdhd.body + (data[mdhd.body] === 1 ? 20 : 12));
  const stsd = trak && find(data, trak, 'mdia', 'minf', 'stbl', 'stsd');
  let codec: string | null = null;
  let width = 0;
  let height = 0;
  if (stsd) {
    // stsd is a full box (4 bytes) with an entry count (4 bytes); a visual sample entry has 78 bytes before its boxes.
    const entry = children(data, stsd.body + 8, stsd.end)[0];
    if (entry && entry.body + 78 <= entry.end) {
      width = data.readUInt16BE(entry.body + 24);
      height = data.readUInt16BE(entry.body + 26);
      const config = children(data, entry.body + 78, entry.end);
      const avcC = config.find((b) => b.type === 'avcC');
      if ((entry.type === 'avc1' || entry.type === 'avc3') && avcC) {
        codec = `${entry.type}.${hex2(data[avcC.body + 1]!)}${hex2(data[avcC.body + 2]!)}${hex2(data[avcC.body + 3]!)}`;
      }
    }
  }
  return { kind: 'init', data, codec, timescale, width, height };
}

function trackDefaults(init: Buffer): TrackDefaults {
  const moov = children(init, 0, init.length).find((b) => b.type === 'moov');
  const trex = moov && find(init, moov, 'mvex', 'trex');
  if (!trex) return { duration: 0, flags: 0 };
  return { duration: init.readUInt32BE(trex.body + 12), flags: init.readUInt32BE(trex.body + 20) };
}

/** Reads start, duration and keyframe of a `moof` (+ `mdat`) fragment. */
export function readFragment(data: Buffer, defaults: TrackDefaults = { duration: 0, flags: 0 }): Fragment {
  const moof = children(data, 0, data.length).find((b) => b.type === 'moof');
  const traf = moof && find(data, moof, 'traf');
  if (!traf) throw new Error('expected a fragment with moof/traf');
  const boxes = children(data, traf.body, traf.end);
  let defaultDuration = defaults.duration;
  let defaultFlags = defaults.flags;
  const tfhd = boxes.find((b) => b.type === 'tfhd');
  if (tfhd) {
    const flags = data.readUInt32BE(tfhd.body) & 0xffffff;
    let o = tfhd.body + 8; // version/flags, track id
    if (flags & 0x01) o += 8;
    if (flags & 0x02) o += 4;
    if (flags & 0x08) defaultDuration = data.readUInt32BE((o += 4) - 4);
    if (flags & 0x10) o += 4;
    if (flags & 0x20) defaultFlags = data.readUInt32BE(o);
  }
  const tfdt = boxes.find((b) => b.type === 'tfdt');
  let startTicks = 0;
  if (tfdt) startTicks = data[tfdt.body] === 1 ? Number(data.readBigUInt64BE(tfdt.body + 4)) : data.readUInt32BE(tfdt.body + 4);
  let durationTicks = 0;
  let firstFlags: number | null = null;
  let firstOffset: number | null = null;
  for (const trun of boxes.filter((b) => b.type === 'trun')) {
    const version = data[trun.body]!;
    const flags = data.readUInt32BE(trun.body) & 0xffffff;
    const count = data.readUInt32BE(trun.body + 4);
    let o = trun.body + 8;
    if (flags & 0x01) o += 4;
    let first: number | null = null;
    if (flags & 0x04) first = data.readUInt32BE((o += 4) - 4);
    for (let s = 0; s < count && o <= trun.end; s++) {
      let duration = defaultDuration;
      let sampleFlags = s === 0 && first !== null ? first : defaultFlags;
      if (flags & 0x100) duration = data.readUInt32BE((o += 4) - 4);
      if (flags & 0x200) o += 4;
      if (flags & 0x400) {
        const f = data.readUInt32BE((o += 4) - 4);
        if (!(s === 0 && first !== null)) sampleFlags = f;
      }
      if (flags & 0x800) {
        const offset = version === 0 ? data.readUInt32BE(o) : data.readInt32BE(o);
        o += 4;
        firstOffset ??= offset;
      }
      durationTicks += duration;
      firstFlags ??= sampleFlags;
    }
  }
  const keyframe = firstFlags !== null && (firstFlags & SAMPLE_IS_NON_SYNC) === 0;
  return { kind: 'fragment', data, keyframe, startTicks, durationTicks, ptsTicks: startTicks + (firstOffset ?? 0) };
}

/**
 * Splits a fragmented MP4 byte stream, fed in arbitrary chunks, into its init segment and whole fragments. Boxes other
 * than ftyp/moov/moof/mdat (free, styp, sidx) are dropped.
 */
export class Fmp4Splitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private initParts: Buffer[] = [];
  private moof: Buffer | null = null;
  private defaults: TrackDefaults = { duration: 0, flags: 0 };

  /** Feeds bytes; returns the parts completed by them, in order. */
  push(chunk: Buffer): Fmp4Part[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Fmp4Part[] = [];
    let buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    let i = 0;
    while (buf.length - i >= 8) {
      let size = buf.readUInt32BE(i);
      if (size === 1) {
        if (buf.length - i < 16) break;
        size = Number(buf.readBigUInt64BE(i + 8));
      }
      if (size < 8) throw new Error(`bad MP4 box size ${size} at byte ${i} of the stream`);
      if (buf.length - i < size) break;
      const box = buf.subarray(i, i + size);
      const type = box.toString('latin1', 4, 8);
      i += size;
      if (type === 'ftyp') this.initParts = [box];
      else if (type === 'moov') {
        const init = readInit(Buffer.concat([...this.initParts, box]));
        this.initParts = [];
        this.defaults = trackDefaults(init.data);
        out.push(init);
      } else if (type === 'moof') this.moof = box;
      else if (type === 'mdat' && this.moof) {
        out.push(readFragment(Buffer.concat([this.moof, box]), this.defaults));
        this.moof = null;
      }
    }
    buf = buf.subarray(i);
    this.pending = buf.length ? [buf] : [];
    this.pendingBytes = buf.length;
    return out;
  }
}

/** Length of the longest prefix of `data` made of whole top-level boxes ending with a complete fragment (or the init). */
export function completePrefix(data: Buffer): { bytes: number; init: InitSegment | null; fragments: Fragment[] } {
  const splitter = new Fmp4Splitter();
  const parts = splitter.push(data);
  let init: InitSegment | null = null;
  const fragments: Fragment[] = [];
  let bytes = 0;
  for (const p of parts) {
    if (p.kind === 'init') init = p;
    else fragments.push(p);
    bytes += p.data.length;
  }
  return { bytes: init ? bytes : 0, init, fragments: init ? fragments : [] };
}

/**
 * One playable fMP4 made of `init` and `fragments` (which may come from several ffmpeg runs whose clocks restarted):
 * each fragment's decode time is rewritten so that it starts where the previous one ended. Returns new buffers.
 */
export function joinFragments(init: Buffer, fragments: readonly Fragment[]): Buffer {
  let t = 0;
  const out: Buffer[] = [init];
  for (const f of fragments) {
    const data = Buffer.from(f.data);
    const moof = children(data, 0, data.length).find((b) => b.type === 'moof')!;
    const traf = find(data, moof, 'traf');
    const tfdt = traf && find(data, traf, 'tfdt');
    if (tfdt) {
      if (data[tfdt.body] === 1) data.writeBigUInt64BE(BigInt(t), tfdt.body + 4);
      else data.writeUInt32BE(t >>> 0, tfdt.body + 4);
    }
    t += f.durationTicks;
    out.push(data);
  }
  return Buffer.concat(out);
}
