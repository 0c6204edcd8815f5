#!/usr/bin/env node
// The `floxide` binary: runs the compiled CLI on plain Node (no loader, no custom export condition).
// TypeScript workflow modules are loaded through tsx's API by the workflow loader, only when asked for.
import '../dist/main.js';
