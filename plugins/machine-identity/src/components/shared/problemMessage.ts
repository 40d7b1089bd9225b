/**
 * The sentence to show for a failed call: the backend's own message (a
 * `ResponseError` carries it in its body, e.g. the separation-of-duties
 * refusal) rather than "Request failed with 403 Forbidden".
 */
export function problemMessage(error: unknown): string {
  const body = (error as { body?: { error?: { message?: unknown } } } | undefined)?.body;
  const message = body?.error?.message;
  if (typeof message === 'string' && message.length > 0) return message;
  return error instanceof Error ? error.message : String(error);
}
