/**
 * Redaction applied to every log event, wherever in the event a secret hides: values of fields
 * whose names look secret, passwords inside connection URLs (postgres://user:PASSWORD@host), and
 * the parameters of failed database queries.
 */
export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are never logged: any name containing one of these words, matched
 * case-insensitively (`password`, `db_password`, `refresh_token`, `x-api-key`, `Set-Cookie`...).
 */
const SECRET_FIELD_NAME = /password|passwd|secret|token|credential|authorization|cookie|api[-_]?key|private[-_]?key|\bparams\b|parameters/i;

/** `scheme://user:password@` → keeps the user, hides the password. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
/** Secrets passed in query strings (`?token=...`, `&api_key=...`). */
const SECRET_QUERY_PARAM = /([?&](?:[^=&\s]*(?:token|secret|password|api[-_]?key|apikey)[^=&\s]*)=)[^&\s#]*/gi;

/**
 * A failed query's parameters, which drizzle writes into its error message and stack
 * (`Failed query: … where token = $1\nparams: TOKEN`): session and reset tokens among them.
 */
const QUERY_PARAMETERS = /(^|\n)(params: )[^\n]*/g;

/** Tokens carried in a path (better-auth's password-reset link: `/reset-password/TOKEN`). */
const SECRET_PATH_SEGMENT = /(\/reset-password\/)[^/?#\s]+/gi;

/**
 * The one field logged as is: a development-only email link, logged on purpose because no SMTP
 * server is configured (see auth/mailer.ts). Production refuses to start without SMTP instead.
 */
export const DELIBERATE_DEVELOPMENT_LINK = 'development_link';

const MAX_DEPTH = 8;

export function redactString(value: string): string {
  // Cheap pre-checks first: this runs on every string of every log event.
  const withoutCredentials = value.includes('@') ? value.replace(URL_CREDENTIALS, `$1:${REDACTED}@`) : value;
  const withoutQuerySecrets = withoutCredentials.includes('=') ? withoutCredentials.replace(SECRET_QUERY_PARAM, `$1${REDACTED}`) : withoutCredentials;
  const withoutPathSecrets = withoutQuerySecrets.includes('/reset-password/') ? withoutQuerySecrets.replace(SECRET_PATH_SEGMENT, `$1${REDACTED}`) : withoutQuerySecrets;
  return withoutPathSecrets.includes('params: ') ? withoutPathSecrets.replace(QUERY_PARAMETERS, `$1$2${REDACTED}`) : withoutPathSecrets;
}

/** Field names repeat on every line (`method`, `url`, `status_code`…), so each is tested once. */
const secretNameVerdicts = new Map<string, boolean>();
const MAX_REMEMBERED_NAMES = 2_000;

export function isSecretFieldName(name: string): boolean {
  let verdict = secretNameVerdicts.get(name);
  if (verdict === undefined) {
    verdict = SECRET_FIELD_NAME.test(name);
    if (secretNameVerdicts.size < MAX_REMEMBERED_NAMES) secretNameVerdicts.set(name, verdict);
  }
  return verdict;
}

/** Numbers and booleans under a secret-looking name (`total_tokens: 12`) are counts, not secrets. */
function mayHoldSecret(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Returns a copy of `value` with secrets replaced; leaves the input untouched. Only plain objects
 * and arrays are walked: class instances (requests, errors) go through their own serializers,
 * which redact what they emit.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (key === DELIBERATE_DEVELOPMENT_LINK && depth === 0) copy[key] = item;
    else copy[key] = isSecretFieldName(key) && mayHoldSecret(item) ? REDACTED : redactDeep(item, depth + 1);
  }
  return copy;
}
