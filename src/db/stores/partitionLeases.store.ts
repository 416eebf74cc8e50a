import pg from "pg";

/**
 * Session advisory locks of PostgreSQL as leases on numbered partitions of work, held on
 * one connection of their own: a lock lives exactly as long as that session, so a process
 * that dies (its socket closes) or loses the connection releases everything it held, and
 * another takes it over. Membership is a shared lock every live holder takes, so
 * pg_locks tells how many share the work. Advisory locks are per database: two
 * deployments on two databases never see each other's.
 */

/** The two-key form's first key for this service's leases; the second is 0 for membership, 1…n for partitions. */
const LEASE_KEY = 72707372;

/** What one look at the leases finds. */
export interface LeaseSnapshot {
  /** Live sessions holding the membership lock (this one included). */
  members: number;
  /** Partitions some session holds (1-based). */
  held: Set<number>;
}

/** Ends a session without telling anyone: its own end and late errors are expected now. */
async function endQuietly(client: pg.Client): Promise<void> {
  client.removeAllListeners("end");
  client.on("error", () => undefined);
  await client.end().catch(() => undefined);
}

export class PartitionLeases {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly options: { connectTimeoutMs: number; queryTimeoutMs: number },
    /** Called once per lost session: every lease it held is gone. */
    private readonly onLost: (error: unknown) => void,
  ) {}

  /** The lease session, connected and a member; a new one after a loss. */
  private session(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({
        connectionString: this.connectionString,
        connectionTimeoutMillis: this.options.connectTimeoutMs,
        query_timeout: this.options.queryTimeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: 5_000,
        application_name: "risk-api leases",
      });
      client.on("error", (error) => this.drop(client, error));
      client.on("end", () => this.drop(client, new Error("lease session ended")));
      try {
        await client.connect();
        await client.query("SELECT pg_advisory_lock_shared($1, 0)", [LEASE_KEY]);
      } catch (error) {
        await endQuietly(client);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /**
   * Ends a session that failed: a statement that errs or times out may still have taken
   * a lock on the server, so nothing it holds can be trusted; ending it releases all.
   */
  private drop(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    void endQuietly(client);
    this.onLost(error);
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
    const client = await this.session();
    try {
      return (await client.query<T>(sql, params)).rows;
    } catch (error) {
      this.drop(client, error);
      throw error;
    }
  }

  /** Live members and the partitions held by anyone, from pg_locks of this database. */
  async snapshot(): Promise<LeaseSnapshot> {
    const rows = await this.query<{ objid: number; members: number }>(
      `SELECT objid::int AS objid, count(*)::int AS members FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::int::oid
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       GROUP BY objid`,
      [LEASE_KEY],
    );
    const members = rows.find((r) => r.objid === 0)?.members ?? 0;
    return { members, held: new Set(rows.filter((r) => r.objid > 0).map((r) => r.objid)) };
  }

  /** Takes partition `n` if nobody holds it; true when this session now holds it. */
  async tryAcquire(n: number): Promise<boolean> {
    const [row] = await this.query<{ taken: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS taken", [LEASE_KEY, n]);
    return row.taken;
  }

  async release(n: number): Promise<void> {
    await this.query("SELECT pg_advisory_unlock($1, $2)", [LEASE_KEY, n]);
  }

  /** Ends the session: every lease and the membership go with it. */
  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    if (client) await endQuietly(client);
  }
}
