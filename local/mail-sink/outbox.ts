/**
 * The sink's outbox: accepted messages in memory and, with a directory, on disk as `<seq>-<id>.json` plus
 * `.html`/`.txt` parts, so a developer can open them. File names sort oldest first.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One accepted `POST /v3/mail/send`, with the exact JSON SendGrid would have received. */
export interface SinkMessage {
  /** The `X-Message-Id` the sink answered with. */
  id: string;
  /** 1 for the first message the outbox ever held, then counting up. */
  seq: number;
  receivedAt: string;
  /** Every `to` address of every personalization. */
  to: string[];
  from: string | undefined;
  subject: string | undefined;
  templateId: string | undefined;
  text: string | undefined;
  html: string | undefined;
  /** The request body as sent (snake_case SendGrid v3 JSON). */
  request: Record<string, unknown>;
}

type Json = Record<string, any>;

/** Builds the record the outbox keeps for an accepted `body`. */
export function toMessage(id: string, seq: number, body: Json): SinkMessage {
  const content: Json[] = Array.isArray(body.content) ? body.content : [];
  const personalizations: Json[] = body.personalizations;
  return {
    id,
    seq,
    receivedAt: new Date().toISOString(),
    to: personalizations.flatMap((p) => (p.to as Json[]).map((t) => String(t.email))),
    from: body.from?.email,
    subject: body.subject ?? personalizations[0]?.subject,
    templateId: body.template_id,
    text: content.find((c) => c.type === 'text/plain')?.value,
    html: content.find((c) => c.type === 'text/html')?.value,
    request: body,
  };
}

/** Memory plus optional disk storage; existing files in `dir` are loaded at start. */
export function createOutbox(dir: string | undefined): {
  add(body: Json): SinkMessage;
  list(): SinkMessage[];
  get(id: string): SinkMessage | undefined;
  clear(): void;
} {
  const messages: SinkMessage[] = dir ? load(dir) : [];
  let seq = messages.at(-1)?.seq ?? 0;
  const base = (m: SinkMessage): string => join(dir!, `${String(m.seq).padStart(6, '0')}-${m.id}`);
  return {
    add(body) {
      const message = toMessage(newMessageId(), ++seq, body);
      messages.push(message);
      if (dir) {
        writeFileSync(`${base(message)}.json`, JSON.stringify(message, null, 2) + '\n');
        if (message.html !== undefined) writeFileSync(`${base(message)}.html`, message.html);
        if (message.text !== undefined) writeFileSync(`${base(message)}.txt`, message.text);
      }
      return message;
    },
    list: () => [...messages],
    get: (id) => messages.find((m) => m.id === id),
    clear() {
      if (dir)
        for (const m of messages)
          for (const ext of ['json', 'html', 'txt']) rmSync(`${base(m)}.${ext}`, { force: true });
      messages.length = 0;
    },
  };
}

function load(dir: string): SinkMessage[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .filter((f) => /^\d{6,}-[\w-]+\.json$/.test(f))
    .sort()
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as SinkMessage];
      } catch {
        return []; // a half-written or hand-edited file is not worth failing the sink for
      }
    });
}

/** An id shaped like SendGrid's: 22 URL-safe characters. */
function newMessageId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A human-readable index of the outbox (newest last), linking to each message's rendered HTML. */
export function outboxPage(messages: SinkMessage[]): string {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${m.seq}</td><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
        `<td><a href="/outbox/${m.id}/html">${escapeHtml(m.subject ?? m.templateId ?? '(no subject)')}</a></td>` +
        `<td><a href="/outbox/${m.id}">json</a> <a href="/outbox/${m.id}/text">text</a></td></tr>`,
    )
    .join('\n');
  return `<!doctype html><meta charset="utf-8"><title>Mail sink outbox</title>
<h1>Outbox (${messages.length})</h1>
<table border="1" cellpadding="4"><tr><th>#</th><th>received</th><th>to</th><th>subject</th><th></th></tr>
${rows}
</table>`;
}

/** The message's HTML part, or for a dynamic template message a page showing its template data. */
export function messageHtml(m: SinkMessage): string {
  if (m.html !== undefined) return m.html;
  const body = m.text !== undefined ? m.text : JSON.stringify(m.request, null, 2);
  return `<!doctype html><meta charset="utf-8"><title>${escapeHtml(m.subject ?? m.id)}</title><pre>${escapeHtml(body)}</pre>`;
}
