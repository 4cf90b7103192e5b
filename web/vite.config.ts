import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` serves the dashboard with hot reload and sends the API to a running server (SIGHTLINE_URL, default
// http://127.0.0.1:8080); `npm run build` writes dist/, which the server serves at `/`.
const target = process.env['SIGHTLINE_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': { target, ws: true, changeOrigin: false } } },
});
