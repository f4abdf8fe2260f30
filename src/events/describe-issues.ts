import type { z } from 'zod';

/**
 * Turns zod issues into `path: problem` strings that never include the rejected value, so a password or token
 * sent in the wrong field cannot end up in an error body or a log line.
 *
 * @example
 *   describeIssues(result.error) // ['data.encryptedPasswordContext: expected string']
 */
export function describeIssues(error: z.ZodError, limit = 10): string[] {
  return error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
    return `${path}: ${problemOf(issue)}`;
  });
}

function problemOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return 'unexpected value';
    case 'too_big':
      return `longer than ${String(issue.maximum)}`;
    case 'too_small':
      return `shorter than ${String(issue.minimum)}`;
    case 'invalid_format':
      return `not a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'unexpected field';
    default:
      return 'invalid';
  }
}
