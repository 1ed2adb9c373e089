import { defineConfig } from 'vite';

/**
 * Two builds from one entry: `docent.js` (IIFE, for a plain <script> tag) and `docent.mjs` (ESM,
 * for bundlers). Everything is inlined: the widget makes no third-party requests.
 */
export default defineConfig({
  build: {
    lib: { entry: 'src/index.ts', name: 'DocentWidget', formats: ['iife', 'es'], fileName: (format) => (format === 'iife' ? 'docent.js' : 'docent.mjs') },
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
  },
});
