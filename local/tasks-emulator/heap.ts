/** A binary min-heap. */

/** A min-heap ordered by `less`. */
export interface Heap<T> {
  push(item: T): void;
  pop(): T | undefined;
  peek(): T | undefined;
  /** Drops every item for which `keep` is false. */
  retain(keep: (item: T) => boolean): void;
  readonly size: number;
}

/** Creates an empty min-heap ordered by `less`. */
export function createHeap<T>(less: (a: T, b: T) => boolean): Heap<T> {
  const items: T[] = [];
  const swap = (i: number, j: number): void => {
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(items[i]!, items[p]!)) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && less(items[l]!, items[m]!)) m = l;
      if (r < items.length && less(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  return {
    push(item) {
      items.push(item);
      up(items.length - 1);
    },
    pop() {
      const top = items[0];
      const last = items.pop();
      if (items.length > 0 && last !== undefined) {
        items[0] = last;
        down(0);
      }
      return top;
    },
    peek: () => items[0],
    retain(keep) {
      const kept = items.filter(keep);
      items.length = 0;
      for (const item of kept) this.push(item);
    },
    get size() {
      return items.length;
    },
  };
}
