/** A queue of capacity one that keeps the newest item: memory never grows with a slow consumer; replaced items are counted. */
export class LatestQueue<T> {
  private item: T | undefined;
  private waiter: ((v: T | undefined) => void) | undefined;
  private closed = false;
  /** Items replaced before the consumer took them. */
  dropped = 0;
  /** Items offered in total. */
  offered = 0;

  /** Offers an item; an item not yet taken is replaced (and counted as dropped). */
  push(item: T): void {
    if (this.closed) return;
    this.offered++;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(item);
      return;
    }
    if (this.item !== undefined) this.dropped++;
    this.item = item;
  }

  /** Resolves with the newest item, or undefined once closed. */
  next(): Promise<T | undefined> {
    if (this.item !== undefined) {
      const v = this.item;
      this.item = undefined;
      return Promise.resolve(v);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Closes the queue: waiting and later `next()` calls resolve with undefined. */
  close(): void {
    this.closed = true;
    this.item = undefined;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }
}
