-- A registrar's balance in 16 rows instead of one (issue 3/4 bench: every billed command of one
-- registrar locked its single accounts row until COMMIT, so one registrar's creates ran one at a
-- time: ~190/s here). A charge takes one shard that holds enough, skipping shards other charges
-- hold (FOR UPDATE SKIP LOCKED); only when none does, it locks them all, checks the total against
-- the credit limit and spreads what is left evenly again (src/billing/ledger.ts). The balance is
-- the sum of the shards; `account_balances` shows it. The invariant that keeps the fast path
-- honest: a shard is either >= 0, or untouched-or-increased since the last even spread (made with
-- the total within the credit limit) — top-ups, negative adjustments and limit changes spread.

CREATE TABLE account_shards (
  registrar_id  integer NOT NULL,
  currency      char(3) NOT NULL,
  shard         smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
  balance       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (registrar_id, currency, shard),
  FOREIGN KEY (registrar_id, currency) REFERENCES accounts (registrar_id, currency) ON DELETE CASCADE
);

-- Existing balances move to shard 0 (an uneven spread: the next slow-path charge evens it out).
INSERT INTO account_shards (registrar_id, currency, shard, balance)
SELECT a.registrar_id, a.currency, s, CASE WHEN s = 0 THEN a.balance ELSE 0 END
  FROM accounts a, generate_series(0, 15) s;

ALTER TABLE accounts DROP COLUMN balance;

CREATE FUNCTION accounts_shards() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_shards (registrar_id, currency, shard)
  SELECT NEW.registrar_id, NEW.currency, s FROM generate_series(0, 15) s ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_shards AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION accounts_shards();

CREATE VIEW account_balances AS
SELECT a.registrar_id, a.currency, coalesce(sum(s.balance), 0)::bigint AS balance, a.credit_limit, a.low_balance_threshold, a.low_balance_notified
  FROM accounts a LEFT JOIN account_shards s ON s.registrar_id = a.registrar_id AND s.currency = a.currency
 GROUP BY a.registrar_id, a.currency;
