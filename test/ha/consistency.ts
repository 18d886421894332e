/**
 * The invariant a failover must not break: every registered domain has the records written in
 * the same transaction as the domain itself.
 */
import { sql, type Queryable } from '../../src/db/pool.js';

export interface DomainMissingRecords { name: string; missing: string[] }

/**
 * Domains lacking a record their create transaction writes: the `domain:create` audit row with
 * result 1000, the `create` row of object_history, and the ledger's create charge.
 */
export async function domainsWithoutTheirRecords(db: Queryable): Promise<DomainMissingRecords[]> {
  return db.query(sql`
    SELECT name, missing FROM (
      SELECT d.name, array_remove(ARRAY[
        CASE WHEN NOT EXISTS (SELECT 1 FROM audit_log a
                               WHERE a.object_type = 'domain' AND a.object_id = d.name
                                 AND a.command = 'domain:create' AND a.result_code = 1000) THEN 'audit' END,
        CASE WHEN NOT EXISTS (SELECT 1 FROM object_history h
                               WHERE h.object_type = 'domain' AND h.object_roid = d.roid AND h.action = 'create') THEN 'object_history' END,
        CASE WHEN NOT EXISTS (SELECT 1 FROM ledger_entries l
                               WHERE l.domain_roid = d.roid AND l.kind = 'charge' AND l.operation = 'create') THEN 'ledger' END
      ], NULL) AS missing
      FROM domains d
    ) checked
    WHERE cardinality(missing) > 0
    ORDER BY name`) as Promise<DomainMissingRecords[]>;
}

/** The other direction: create charges whose domain is not there (none of the HA tests deletes). */
export async function chargesWithoutTheirDomain(db: Queryable): Promise<string[]> {
  const rows = await db.query(sql`
    SELECT l.domain_name FROM ledger_entries l
     WHERE l.kind = 'charge' AND l.operation = 'create' AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.roid = l.domain_roid)
     ORDER BY l.domain_name`);
  return rows.map((r: { domain_name: string }) => r.domain_name);
}
