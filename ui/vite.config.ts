import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// The production build is embedded into the Rust binary from ../assets.
// It must be reproducible: `npm ci && npm run build` twice gives identical files.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: '/',
  build: {
    outDir: '../assets',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '^/w/': { target: 'http://127.0.0.1:8080' },
      '^/hooks/': { target: 'http://127.0.0.1:8080' },
    },
  },
});
