-- The fast path of a charge (src/billing/ledger.ts) as a PL/pgSQL function: the driver sends
-- unnamed statements, which Postgres plans on every call, and this multi-part statement ran on
-- every billed command; inside a function its plans are kept per connection. It takes one shard
-- that holds enough and that no other transaction holds; when every such shard is held (more
-- commands of the registrar in flight than shards), it waits for one rather than escalate. It
-- writes the ledger entry and, when asked, the grace period; it returns no row when no shard
-- holds enough (the caller's slow path then checks the whole balance against the credit limit).

CREATE FUNCTION ledger_charge_fast(
  p_registrar_id integer, p_currency text, p_amount bigint, p_at timestamptz, p_operation text, p_zone_id integer,
  p_domain_roid text, p_domain_name text, p_years integer, p_fee_class text, p_sv_trid text, p_description text,
  p_grace_domain_id bigint, p_grace_kind text, p_grace_ends timestamptz, p_grace_years integer)
RETURNS TABLE (entry_id bigint, balance_after bigint, credit_limit bigint, threshold bigint, notified boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_shard smallint;
  v_total bigint;
  v_done boolean := false;
BEGIN
  IF p_amount > 0 THEN
    SELECT s.shard INTO v_shard FROM account_shards s
     WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency AND s.balance >= p_amount
     ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF v_shard IS NOT NULL THEN
      UPDATE account_shards s SET balance = s.balance - p_amount
       WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency AND s.shard = v_shard AND s.balance >= p_amount;
      v_done := FOUND;
    END IF;
    -- Every shard that holds enough is busy: wait for one (a few times, as its holder may spend it).
    FOR attempt IN 1..3 LOOP
      EXIT WHEN v_done;
      SELECT s.shard INTO v_shard FROM account_shards s
       WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency AND s.balance >= p_amount
       ORDER BY random() LIMIT 1;
      EXIT WHEN v_shard IS NULL;
      PERFORM 1 FROM account_shards s
        WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency AND s.shard = v_shard FOR UPDATE;
      UPDATE account_shards s SET balance = s.balance - p_amount
       WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency AND s.shard = v_shard AND s.balance >= p_amount;
      v_done := FOUND;
    END LOOP;
    IF NOT v_done THEN RETURN; END IF;
  END IF;
  SELECT a.credit_limit, a.low_balance_threshold, a.low_balance_notified INTO credit_limit, threshold, notified
    FROM accounts a WHERE a.registrar_id = p_registrar_id AND a.currency = p_currency;
  IF NOT FOUND THEN RETURN; END IF;
  SELECT coalesce(sum(s.balance), 0) INTO v_total FROM account_shards s WHERE s.registrar_id = p_registrar_id AND s.currency = p_currency;
  INSERT INTO ledger_entries (registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, sv_trid, description)
  VALUES (p_registrar_id, p_currency, p_at, 'charge', p_operation, -p_amount, v_total, p_zone_id, p_domain_roid, p_domain_name, p_years, p_fee_class, p_sv_trid, p_description)
  RETURNING id INTO entry_id;
  balance_after := v_total;
  IF p_grace_kind IS NOT NULL THEN
    INSERT INTO domain_grace_periods (domain_id, kind, starts_at, ends_at, registrar_id, charge_id, years)
    VALUES (p_grace_domain_id, p_grace_kind, p_at, p_grace_ends, p_registrar_id, entry_id, p_grace_years);
  END IF;
  RETURN NEXT;
END $$;
