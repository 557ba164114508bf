/** List pagination with opaque page tokens that remember the last name returned and the list's filter. */
import { invalid } from './errors.ts';

/** One page of `items` (already sorted by `key`), and the token for the next page if any. */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  opts: { pageSize: number; pageToken?: string; context: string },
): { page: T[]; nextPageToken?: string } {
  let after = '';
  if (opts.pageToken) {
    let parsed: { after?: string; context?: string };
    try {
      parsed = JSON.parse(Buffer.from(opts.pageToken, 'base64url').toString('utf8'));
    } catch {
      throw invalid('Invalid page token.');
    }
    if (parsed.context !== opts.context)
      throw invalid('The page token does not match the request: the filter or parent changed between pages.');
    after = parsed.after ?? '';
  }
  const rest = after ? items.filter((i) => key(i) > after) : items;
  const page = rest.slice(0, opts.pageSize);
  if (rest.length <= opts.pageSize) return { page };
  const token = Buffer.from(JSON.stringify({ after: key(page[page.length - 1]!), context: opts.context })).toString(
    'base64url',
  );
  return { page, nextPageToken: token };
}

/** Reads a pageSize query value: unset or 0 means `max`; above `max` is clamped; negative is an error. */
export function pageSizeOf(value: string | null, max: number): number {
  if (value === null || value === '') return max;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid value for page_size: ${value}. It must not be negative.`);
  return n === 0 ? max : Math.min(n, max);
}
