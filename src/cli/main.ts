#!/usr/bin/env node
// The CLI's module entry (`node dist/src/cli/main.js ...`). bin/berth runs
// the same program from its one-file bundle, which starts faster.
import { main } from "./program.js";

process.exitCode = await main(process.argv.slice(2));
