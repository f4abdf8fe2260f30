/**
 * The columns `legacy import --format csv --field column=source` may map, each read by default from a header column
 * of its own name. A module of its own, without imports: the command line's option parsing loads it for `--help`.
 */
export const CSV_COLUMNS = ['id', 'email', 'username', 'password_hash', 'scheme', 'salt', 'status', 'display_name', 'given_name', 'surname', 'phone'] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
