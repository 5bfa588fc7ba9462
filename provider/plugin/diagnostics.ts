import { ValueError, type AttributePath } from './values/path.js';

// Diagnostics are how a provider talks to the person running Terraform: a summary,
// a detail, and the attribute the message is about.

export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  path?: AttributePath;
}

/** Throw this from a resource to report an error on a particular attribute. */
export class DiagnosticError extends Error {
  readonly detail: string | undefined;
  readonly path: AttributePath | undefined;

  constructor(summary: string, options: { detail?: string; path?: AttributePath } = {}) {
    super(summary);
    this.name = 'DiagnosticError';
    this.detail = options.detail;
    this.path = options.path;
  }
}

export function errorToDiagnostic(error: unknown): Diagnostic {
  if (error instanceof DiagnosticError) {
    return { severity: 'error', summary: error.message, detail: error.detail, path: error.path };
  }
  if (error instanceof ValueError) {
    return { severity: 'error', summary: 'Invalid value', detail: error.message, path: error.path };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { severity: 'error', summary: message };
}

export function diagnosticToProto(diagnostic: Diagnostic): object {
  return {
    severity: diagnostic.severity === 'error' ? 'ERROR' : 'WARNING',
    summary: diagnostic.summary,
    detail: diagnostic.detail ?? '',
    attribute: diagnostic.path ? pathToProto(diagnostic.path) : null,
  };
}

export function pathToProto(path: AttributePath): object {
  return { steps: path.map(stepToProto) };
}

function stepToProto(step: AttributePath[number]): object {
  if (typeof step === 'string') return { attribute_name: step };
  if (typeof step === 'number') return { element_key_int: step };
  return { element_key_string: step.key };
}
