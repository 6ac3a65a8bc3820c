/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` serves the builder on :5173 and proxies the API (python -m stack on :8000).
const api = process.env.GENAI_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: { proxy: { "/api": api, "/health": api } },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 2000 },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    css: false,
    // Rendering MUI pages in jsdom takes seconds on a busy 2-core machine; the default
    // 5 s made tests fail for load, not for what they assert.
    testTimeout: 20_000,
  },
});
