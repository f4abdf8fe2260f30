/** What one step of `setup` found or did. */
export type StepStatus = 'in place' | 'created' | 'updated' | 'would create' | 'would update' | 'removed' | 'would remove' | 'absent';

/** One step of `setup` (the flag property, the app registration, the custom extension, the listener) and its writes. */
export interface SetupStep {
  name: string;
  status: StepStatus;
  detail: string;
  /** The write requests sent (or, in a dry run, that would be sent). Bodies hold no secrets: certificates are public. */
  requests: Array<{ method: string; path: string; body?: unknown }>;
}
