/**
 * Checks a `POST /v3/mail/send` body the way SendGrid does for the common cases, with SendGrid's own wording,
 * `field` paths and help links, so a message the sink accepts is one SendGrid would accept too.
 */

/** One entry of SendGrid's `{"errors": [...]}` answer. */
export interface SendGridError {
  message: string;
  field: string | null;
  help: string | null;
}

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html';
/** The per-request limits SendGrid documents for mail/send. */
/** SendGrid's error body with one message that names no field: `{"errors":[{"message","field":null,"help":null}]}`. */
export const sendGridErrors = (message: string): { errors: SendGridError[] } => ({
  errors: [{ message, field: null, help: null }],
});

export const MAX_PERSONALIZATIONS = 1000;
export const MAX_RECIPIENTS = 1000;
// A pragmatic address check: SendGrid answers "Does not contain a valid address." for what this rejects.
const ADDRESS = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Every problem SendGrid would report for `body`; an empty list means the message is acceptable. */
export function validateMailSend(body: unknown): SendGridError[] {
  if (!isObject(body)) return sendGridErrors('Bad Request').errors;
  const errors: SendGridError[] = [];
  const add = (message: string, field: string | null, anchor: string): void => {
    errors.push({ message, field, help: `${HELP}#${anchor}` });
  };
  const checkAddress = (value: unknown, field: string, anchor: string): string | undefined => {
    if (!isObject(value) || !nonEmptyString(value.email)) {
      add('The email parameter is required for all email objects.', `${field}.email`, anchor);
      return undefined;
    }
    if (!ADDRESS.test(value.email)) add('Does not contain a valid address.', `${field}.email`, anchor);
    return value.email.toLowerCase();
  };

  if (!isObject(body.from) || !nonEmptyString(body.from.email)) {
    add(
      'The from object must be provided for every email send. It is an object that requires the email parameter, ' +
        'but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or ' +
        '{"email" : "example@example.com", "name" : "Example Recipient"}.',
      'from.email',
      'message.from',
    );
  } else checkAddress(body.from, 'from', 'message.from');
  if (body.reply_to !== undefined) checkAddress(body.reply_to, 'reply_to', 'message.reply_to');

  const hasTemplate = nonEmptyString(body.template_id);
  if (body.template_id !== undefined && !hasTemplate) {
    add('The template_id must be a non-empty string.', 'template_id', 'message.template_id');
  }

  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    add(
      'The personalizations field is required and must have at least one personalization.',
      'personalizations',
      '-Personalizations-Errors',
    );
  } else if (personalizations.length > MAX_PERSONALIZATIONS) {
    add(
      `You may not have more than ${MAX_PERSONALIZATIONS} personalizations per request.`,
      'personalizations',
      '-Personalizations-Errors',
    );
  } else {
    checkPersonalizations(personalizations, add, checkAddress);
  }

  const everySubject =
    Array.isArray(personalizations) &&
    personalizations.length > 0 &&
    personalizations.every((p) => isObject(p) && nonEmptyString(p.subject));
  if (!hasTemplate && !everySubject && !nonEmptyString(body.subject)) {
    add(
      'The subject is required. You can get around this requirement if you use a template with a subject defined ' +
        'or if every personalization has a subject defined.',
      'subject',
      'message.subject',
    );
  }
  checkContent(body.content, hasTemplate, add);
  return errors;
}

type Add = (message: string, field: string | null, anchor: string) => void;
type CheckAddress = (value: unknown, field: string, anchor: string) => string | undefined;

function checkPersonalizations(list: unknown[], add: Add, checkAddress: CheckAddress): void {
  let recipients = 0;
  list.forEach((p, i) => {
    const at = `personalizations.${i}`;
    if (!isObject(p) || !Array.isArray(p.to) || p.to.length === 0) {
      add(
        'The to array is required for all personalization objects, and must have at least one email object with ' +
          'a valid email address.',
        `${at}.to`,
        'message.personalizations.to',
      );
      return;
    }
    const seen = new Set<string>();
    for (const kind of ['to', 'cc', 'bcc'] as const) {
      const group = p[kind];
      if (group === undefined) continue;
      if (!Array.isArray(group)) {
        add(
          `The ${kind} parameter must be an array of email objects.`,
          `${at}.${kind}`,
          `message.personalizations.${kind}`,
        );
        continue;
      }
      recipients += group.length;
      group.forEach((address, j) => {
        const email = checkAddress(address, `${at}.${kind}.${j}`, `message.personalizations.${kind}`);
        if (email === undefined) return;
        if (seen.has(email)) {
          add(
            'Each email address in the personalization block should be unique between to, cc, and bcc. We found ' +
              `the first duplicate instance of [${email}] in the ${at}.${kind} field.`,
            `${at}.${kind}`,
            'message.recipient-duplicates',
          );
        }
        seen.add(email);
      });
    }
  });
  if (recipients > MAX_RECIPIENTS) {
    add(
      `The total number of recipients must be less than ${MAX_RECIPIENTS}. This includes all recipients defined ` +
        'within the to, cc, and bcc parameters, across each object that you include in the personalizations array.',
      'personalizations',
      '-Personalizations-Errors',
    );
  }
}

function checkContent(content: unknown, hasTemplate: boolean, add: Add): void {
  if (content === undefined || (Array.isArray(content) && content.length === 0)) {
    if (!hasTemplate) {
      add(
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one ' +
          'defined content block. We typically suggest both text/plain and text/html blocks are included, but only ' +
          'one block is required.',
        'content',
        'message.content',
      );
    }
    return;
  }
  if (!Array.isArray(content)) {
    add('The content parameter must be an array of content objects.', 'content', 'message.content');
    return;
  }
  content.forEach((block, i) => {
    if (!isObject(block) || !nonEmptyString(block.type)) {
      add('The content type must be provided for every content block.', `content.${i}.type`, 'message.content.type');
    } else if (block.type === 'text/plain' && i !== 0) {
      add(
        'If present, text/plain content must be first, followed by text/html and then any other content.',
        `content.${i}.type`,
        'message.content.type',
      );
    }
    if (!isObject(block) || !nonEmptyString(block.value)) {
      add(
        'The content value must be a string at least one character in length.',
        `content.${i}.value`,
        'message.content.value',
      );
    }
  });
}
