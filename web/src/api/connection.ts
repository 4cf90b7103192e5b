/**
 * Whether the server answers: set by every HTTP call and by the live WebSocket, read by the banner. A store for
 * React's useSyncExternalStore (no I/O here).
 */
export interface ConnectionState {
  readonly up: boolean;
  readonly reason: string | null;
  readonly sinceMs: number;
}

let state: ConnectionState = { up: true, reason: null, sinceMs: Date.now() };
const listeners = new Set<() => void>();
const set = (next: ConnectionState) => {
  if (next.up === state.up && next.reason === state.reason) return;
  state = next;
  for (const f of listeners) f();
};

export const connection = {
  get: (): ConnectionState => state,
  subscribe(f: () => void): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  },
  reachable: () => set({ up: true, reason: null, sinceMs: state.up ? state.sinceMs : Date.now() }),
  unreachable: (reason: string) => set({ up: false, reason, sinceMs: state.up ? Date.now() : state.sinceMs }),
};
