/** A relative path as URI path segments: each segment percent-encoded, the slashes kept. */
export function encodePathSegments(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}
