import { useEffect, useReducer } from 'preact/hooks';

/** Re-renders the component whenever `source` emits. */
export function useSubscription(source: { subscribe(fn: () => void): () => void } | null | undefined): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => (source ? source.subscribe(() => bump(0)) : undefined), [source]);
}
