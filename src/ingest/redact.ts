/** Replaces the password of a URL (`rtsp://user:pass@host`) with `***` so it can be logged or shown. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@:]*):([^/@]*)@/i, '$1$2:***@');
}
