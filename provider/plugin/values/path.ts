// An attribute path points Terraform at the part of the configuration a message is
// about: `rule[0].name` is ['rule', 0, 'name']; a map element is { key: 'k' }.
// Set elements have no address in the protocol, so paths stop at the set.

export type PathStep = string | number | { key: string };
export type AttributePath = readonly PathStep[];

export function formatPath(path: AttributePath): string {
  return path
    .map((step, i) => {
      if (typeof step === 'number') return `[${step}]`;
      if (typeof step === 'string') return i === 0 ? step : `.${step}`;
      return `[${JSON.stringify(step.key)}]`;
    })
    .join('');
}

/** An error about one part of a value; the path lets Terraform underline the right line. */
export class ValueError extends Error {
  constructor(
    message: string,
    readonly path: AttributePath,
  ) {
    super(path.length > 0 ? `${formatPath(path)}: ${message}` : message);
    this.name = 'ValueError';
  }
}
