/** Job: approve pending transfers whose auto-approve time has passed (serverApproved), in small idempotent batches. */
import type { Database } from '../db/pool.js';
import { dueTransfers } from '../db/queries/transfers.js';
import { completeTransfer } from '../registry/transfer-completion.js';

export async function autoApproveTransfers(db: Database, now: Date, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    // Each batch is one transaction; rows are locked SKIP LOCKED, and a transfer is completed
    // only while still pending, so a rerun after a crash at any point does nothing twice.
    const n = await db.tx(async (tx) => {
      const due = await dueTransfers(tx, now, batch);
      for (const t of due) await completeTransfer(tx, t, 'serverApproved', now, `job-${now.getTime().toString(36)}-${t.id}`, null);
      return due.length;
    });
    total += n;
    if (n < batch) return total;
  }
}
