/**
 * Reads ffmpeg's `mkvtimestamp_v2` output fed in arbitrary chunks: a `# timecode format v2` header, then one
 * presentation time in milliseconds per line. Returns the times of the whole lines received so far, one per frame; a
 * line that is not a number gives NaN (unknown) so that pairing with the frames stays in step (pure).
 */
export class TimestampLines {
  private rest = '';

  push(chunk: Uint8Array): number[] {
    const text = this.rest + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    const out: number[] = [];
    for (const line of lines) {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      const ms = Number(t);
      out.push(Number.isFinite(ms) ? ms : NaN);
    }
    return out;
  }
}
