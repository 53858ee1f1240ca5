#!/usr/bin/env node
/**
 * The IOC's command line: validates the configuration, starts everything, and stops gracefully
 * on SIGTERM / SIGINT. A configuration or start-up problem is one line naming the variable.
 */
import { hostname } from 'node:os';
import { helpText, loadConfig } from './config/config.ts';
import { StartupError } from './services/startup-error.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(helpText());
  process.exit(0);
}

try {
  const config = loadConfig(process.env, hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 30));
  if (process.argv[2] === 'audit') {
    if (process.argv[3] !== 'verify') {
      process.stderr.write('usage: hai-dang audit verify\n');
      process.exit(2);
    }
    const { verifyAuditLog } = await import('./compose.ts');
    const r = await verifyAuditLog(config);
    process.stdout.write(
      r.ok
        ? `audit log intact: ${r.checked} entries checked / nhật ký toàn vẹn: đã kiểm tra ${r.checked} mục\n`
        : `audit log BROKEN at entry ${r.firstBroken.seq} (${r.firstBroken.reason}); ${r.checked} entries before it are intact / nhật ký bị sửa tại mục ${r.firstBroken.seq}\n`,
    );
    process.exit(r.ok ? 0 : 1);
  }
  // Loaded after the configuration is known to be good: a bad variable is reported at once.
  const { startIoc } = await import('./compose.ts');
  const ioc = await startIoc(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ioc.log.info({ signal }, 'shutting down: finishing acknowledged work');
    const force = setTimeout(() => {
      ioc.log.error('shutdown took over 30 s; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    ioc.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (e) {
  if (e instanceof StartupError) {
    process.stderr.write(`hai-dang: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
