import { useEffect, useState } from 'react';

/**
 * `now()` re-read every `tickMs` while `active`, for elapsed times and
 * rates; tickMs 0 never ticks (tests inject a fixed clock).
 */
export function useClock(now: () => number, tickMs: number, active: boolean) {
  const [time, setTime] = useState(now);
  useEffect(() => {
    if (!active || tickMs <= 0) return;
    const timer = setInterval(() => setTime(now()), tickMs);
    return () => clearInterval(timer);
  }, [now, tickMs, active]);
  return active && tickMs > 0 ? time : now();
}
