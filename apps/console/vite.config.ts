import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the IOC at /console (packages/server, console.routes.ts); `npm run build:console`.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The JavaScript budget of the first view is checked by the console benchmark, not here.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: {
    // `npm run dev -w apps/console` against an IOC on :8080.
    proxy: { '/api': 'http://localhost:8080', '/console/config.json': 'http://localhost:8080' },
  },
});
