/** The running mean of a track's or a person's appearance embeddings, and cosine similarity. Pure. */

/** A running mean of unit-length embeddings (the mean is re-normalised when read). */
export class EmbeddingMean {
  private sum: Float64Array | null = null;
  /** The normalised mean, kept until the next add (the assignment reads it for every track x person pair). */
  private cached: Float64Array | null = null;
  count = 0;

  /** Adds one embedding; one of another length than the first is ignored. */
  add(e: ArrayLike<number>): void {
    if (this.sum === null) this.sum = new Float64Array(e.length);
    if (e.length !== this.sum.length) return;
    for (let i = 0; i < e.length; i++) this.sum[i]! += e[i]!;
    this.count++;
    this.cached = null;
  }

  /** Adds everything another mean holds. */
  addMean(other: EmbeddingMean): void {
    if (other.sum === null) return;
    if (this.sum === null) this.sum = new Float64Array(other.sum.length);
    if (other.sum.length !== this.sum.length) return;
    for (let i = 0; i < other.sum.length; i++) this.sum[i]! += other.sum[i]!;
    this.count += other.count;
    this.cached = null;
  }

  /** The unit-length mean (do not modify it); an empty array before the first embedding. */
  mean(): Float64Array {
    if (this.sum === null) return new Float64Array(0);
    if (this.cached !== null) return this.cached;
    let n = 0;
    for (const v of this.sum) n += v * v;
    const norm = Math.sqrt(n) || 1;
    this.cached = this.sum.map((v) => v / norm);
    return this.cached;
  }
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros or the lengths differ). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
