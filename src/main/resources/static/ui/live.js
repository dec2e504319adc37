// Pages refresh what changes (runs appearing, the overview's numbers) on a timer that runs only
// while the tab is visible and the view is open: a tab in the background asks nothing, and ten
// open tabs of the overview ask once every 15 s each.
let stops = [];

export function every(intervalMs, refresh) {
  let stopped = false;
  let timer;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try {
        await refresh();
      } catch (error) {
        // The next tick tries again; a 401 has signed the page out already.
      }
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  stops.push(stop);
  return stop;
}

// Called when the view changes: the old view's timers end.
export function stopAll() {
  stops.forEach((stop) => stop());
  stops = [];
}
