import { EntraMigrateError } from '../common/errors.js';

export interface ConfigProblem {
  /** The environment variable (or config-file key) at fault, e.g. `RESPONSE_DEADLINE_MS`. */
  setting: string;
  /** What is wrong and how to fix it, in one sentence. Never the value of a secret setting. */
  problem: string;
}

/** Every problem found in the configuration at once, so a user fixes them in one round. */
export class ConfigError extends EntraMigrateError {
  declare readonly code: 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map(({ setting, problem }) => `${setting}: ${problem}`);
    super('CONFIG_INVALID', `Invalid configuration:\n${lines.join('\n')}`);
    this.problems = problems;
  }
}
