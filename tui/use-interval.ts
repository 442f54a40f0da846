import { useEffect, useRef } from 'react';

/** Calls `callback` every `ms` milliseconds while `active`. */
export function useInterval(callback: () => void, ms: number, active = true): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}
