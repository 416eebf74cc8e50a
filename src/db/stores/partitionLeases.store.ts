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
      let lost = false;
      const lose = (error: unknown) => {
        if (lost) return;
        lost = true;
        if (this.client === client) this.client = null;
        this.onLost(error);
      };
      client.on("error", lose);
      client.on("end", () => lose(new Error("lease session ended")));
      try {
        await client.connect();
        await client.query("SELECT pg_advisory_lock_shared($1, 0)", [LEASE_KEY]);
      } catch (error) {
        lost = true;
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Live members and the partitions held by anyone, from pg_locks of this database. */
  async snapshot(): Promise<LeaseSnapshot> {
    const client = await this.session();
    const { rows } = await client.query<{ objid: number; members: number }>(
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
    const client = await this.session();
    const { rows } = await client.query<{ taken: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS taken", [LEASE_KEY, n]);
    return rows[0].taken;
  }

  async release(n: number): Promise<void> {
    const client = await this.session();
    await client.query("SELECT pg_advisory_unlock($1, $2)", [LEASE_KEY, n]);
  }

  /** Ends the session: every lease and the membership go with it. */
  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    if (!client) return;
    client.removeAllListeners("end");
    client.on("error", () => undefined);
    await client.end().catch(() => undefined);
  }
}
