/**
 * JSON Merge Patch (RFC 7396), pure: objects merge key by key, `null` removes a key, anything else (arrays included)
 * replaces. Written here because it is ten lines; the libraries for it carry a JSON Patch implementation besides.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
