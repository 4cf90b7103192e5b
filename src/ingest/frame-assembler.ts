/** Cuts a byte stream into fixed-size frames, copying each completed frame into its own buffer (pure). */
export class FrameAssembler {
  private readonly frameBytes: number;
  private current: Uint8Array;
  private filled = 0;

  constructor(frameBytes: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError(`expected a positive frame size, got ${frameBytes}`);
    this.frameBytes = frameBytes;
    this.current = new Uint8Array(frameBytes);
  }

  /** Consumes a chunk and returns the frames it completed (0 or more). */
  push(chunk: Uint8Array): Uint8Array[] {
    const done: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.current.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        done.push(this.current);
        this.current = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return done;
  }

  /** Bytes of an incomplete frame held back (non-zero at end of stream means a truncated frame). */
  get pendingBytes(): number {
    return this.filled;
  }
}
