/**
 * Removes what must never leave the server in an answer or a log line: API tokens, connection
 * strings with their credentials, and PEM keys. Applied to every error message the server sends.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\bstw_[A-Za-z0-9_-]+/g, 'stw_[redacted]')
    .replace(
      /\b(mongodb(?:\+srv)?|postgres(?:ql)?|mysql|redis|https?):\/\/[^\s"'<>]*@[^\s"'<>]*/gi,
      '$1://[redacted]',
    )
    .replace(/\bmongodb(?:\+srv)?:\/\/[^\s"'<>]+/gi, 'mongodb://[redacted]')
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[redacted key]');
}

/** Pino paths the server's logger censors, whatever a log call is given. */
export const redactedLogPaths = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'uri',
  '*.uri',
  'connectionString',
  '*.connectionString',
  'privateKey',
  '*.privateKey',
];
