/**
 * Preloaded into the IOC child (`node --import tsx --import bench/lib/parent-watch.ts …`): if the
 * benchmark that started it dies without stopping it (killed, timed out), the IOC is sent SIGTERM
 * instead of running on as an orphan. Only the benchmark uses this; the IOC knows nothing of it.
 */
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1000);
timer.unref();
