import type { Clock } from '../../common/clock.js';
import { backoffInMs } from '../../graph/index.js';
import type { PendingAccount } from './pending-account.js';

export interface SendAgainOptions {
  /** Sends of one account before it is recorded as failed. */
  maxAttempts: number;
  now: Clock;
  /** For the back-offs' jitter. */
  random?: (() => number) | undefined;
  /** Records an account that has used up its attempts. */
  fail(account: PendingAccount, reason: string): Promise<void>;
}

/**
 * The accounts of one batch to send again in a later batch: after a jittered back-off when Graph failed
 * transiently (503 without Retry-After, 5xx, a lookup left unanswered), at once when it was throttled (the pacer
 * waits) or a dependency failed. The batch in hand is not held up. An account out of attempts fails instead.
 *
 * @example
 *   const again = new SendAgain({ maxAttempts: 8, now, fail });
 *   await again.add(account, 'HTTP 503 after 1 attempts', true);
 *   return again.accounts;
 */
export class SendAgain {
  readonly accounts: PendingAccount[] = [];
  readonly #options: SendAgainOptions;

  constructor(options: SendAgainOptions) {
    this.#options = options;
  }

  /** `reason` is what the account fails with when it has no attempt left. */
  async add(account: PendingAccount, reason: string, backOff: boolean): Promise<void> {
    if (account.attempts >= this.#options.maxAttempts) return this.#options.fail(account, reason);
    account.notBefore = backOff ? this.#options.now() + backoffInMs(account.attempts - 1, { random: this.#options.random }) : 0;
    this.accounts.push(account);
  }
}
