/**
 * Escaping for our email templates: the `html` tag escapes every interpolated value unless it is already
 * `SafeHtml`, so customer data cannot inject markup.
 */

/** Markup that is already escaped and may be inserted as is. */
export interface SafeHtml {
  readonly __html: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `<script>` → `&lt;script&gt;`; quotes are escaped too, so values are safe inside attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A template literal tag: strings, numbers and arrays of them are escaped, `SafeHtml` is kept, nullish is dropped. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += toHtml(v) + strings[i + 1]!;
  });
  return { __html: out };
}

function toHtml(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (typeof value === 'object' && '__html' in value) return String((value as SafeHtml).__html);
  return escapeHtml(String(value));
}
