/** A small in-memory SQL-ish database, standing in for a real driver (pg, mysql2, better-sqlite3). */
export interface Database {
  readonly url: string;
  tables(): string[];
  rows(table: string): Record<string, unknown>[];
  close(): Promise<void>;
}

const SAMPLE: Record<string, Record<string, unknown>[]> = {
  users: [
    { id: 1, name: 'Ada' },
    { id: 2, name: 'Grace' },
  ],
  orders: [{ id: 10, user_id: 1, total: 42 }],
};

export async function openDatabase(url: string): Promise<Database> {
  if (!url.startsWith('memory://')) throw new Error(`unsupported database url: ${url}`);
  let open = true;
  const guard = () => {
    if (!open) throw new Error('database is closed');
  };
  return {
    url,
    tables: () => (guard(), Object.keys(SAMPLE)),
    rows: (table) => (guard(), SAMPLE[table] ?? []),
    close: async () => {
      open = false;
    },
  };
}
