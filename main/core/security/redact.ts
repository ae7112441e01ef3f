// What counts as a credential in a URL or a header, and how it is hidden before anything is
// logged. The logger applies these to every record (urls, requests, errors, message text), so a
// URL carrying `?token=` never reaches a log line whoever logs it.

export const REDACTED = '[redacted]';

/** Query parameters whose values are credentials: token, access_token, api_key, secret, password, signature, … */
const CREDENTIAL_PARAM =
  /^(?:.*[_-])?(?:token|secret|password|passwd|pwd|signature|sig|key|apikey|auth|credentials?)$/i;

/** Header names whose values are credentials (the control token's X-Hookbox-Token among them). */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-hub-signature(-256)?|x-gitlab-token|x-api-key|x-auth-token|x-hookbox-token|x-slack-signature|x-signature.*|.*signature.*|.*hmac.*|.*secret.*|.*token.*|.*password.*|.*api-?key.*)$/i;

function isCredentialParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // a malformed escape: judge the name as written
  }
  return CREDENTIAL_PARAM.test(decoded.trim());
}

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

// `name=value` after the start of a query (?), another parameter (& ;) or the start of the text.
const PARAM = /([?&;]|^)([^=&;#?\s"'<>]+)=([^&;#\s"'<>]*)/g;

/** A URL (or just its path and query) with credential parameters' values replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  return (
    url.slice(0, query) +
    url
      .slice(query)
      .replace(PARAM, (match, lead: string, name: string) =>
        isCredentialParam(name) ? `${lead}${name}=${REDACTED}` : match,
      )
  );
}

// In free text only parameters after '?' or '&' count (a sentence saying "key=value" stays).
const TEXT_PARAM = /([?&;])([^=&;#?\s"'<>]+)=([^&;#\s"'<>]*)/g;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/** Free text (a log message, an error's message or stack) with URL credentials and bearer tokens hidden. */
export function redactText(text: string): string {
  if (!text.includes('=') && !/Bearer|Basic|Token/.test(text)) return text;
  return text
    .replace(TEXT_PARAM, (match, lead: string, name: string) =>
      isCredentialParam(name) ? `${lead}${name}=${REDACTED}` : match,
    )
    .replace(BEARER, `$1 ${REDACTED}`);
}

/** A copy of headers with credential values replaced. */
export function redactHeaders<T extends Record<string, unknown>>(headers: T): T {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isCredentialHeader(name) && value !== undefined ? REDACTED : value,
    ]),
  ) as T;
}
