/** The frame every email shares: one HTML document with inline styles, and the matching plain-text conventions. */
import { html, type SafeHtml } from './html.ts';

/** A complete HTML email around `body`. */
export function layout(title: string, locale: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif;color:#222">
<div style="max-width:600px;margin:0 auto;background:#fff;padding:24px;border-radius:6px">
${body}
</div>
</body>
</html>
`.__html;
}

/** "Hi Jane," or "Hello," when the name is unknown. */
export function greeting(name: string | undefined): string {
  return name ? `Hi ${name},` : 'Hello,';
}

/** Joins text lines, dropping absent ones. */
export function lines(...parts: Array<string | undefined | false>): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n') + '\n';
}

/** A rendered email: subject line, plain-text part and HTML part. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}
