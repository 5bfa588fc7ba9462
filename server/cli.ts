#!/usr/bin/env node
/** The `devdb` executable: the program of server/program.ts on this process's IO. */
import { processIO } from './io.js';
import { buildProgram } from './program.js';

process.exitCode = await buildProgram(processIO()).run(process.argv.slice(2));
