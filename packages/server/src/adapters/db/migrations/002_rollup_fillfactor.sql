-- Rollups and latest values are updated in place many times (every reading of a series touches
-- its minute, hour and latest rows). Free room on each page lets PostgreSQL make those HOT updates
-- and prune dead versions page by page, which matters most in embedded mode: PGlite runs no
-- autovacuum. Applies to pages written from now on.
ALTER TABLE latest SET (fillfactor = 50);
ALTER TABLE rollup_1m SET (fillfactor = 70);
ALTER TABLE rollup_1h SET (fillfactor = 70);
