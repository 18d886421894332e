-- EPP session bookkeeping in one round trip each: a login that passed its credential checks
-- opens its session (failed-login limit, per-registrar session limit, the row, an optional
-- password change) in one call, and a logout or a dropped connection closes it in one call.
-- Each call is one statement, so it is one implicit transaction.

-- Session rows are bookkeeping for limits, not registry data: a row lost in a crash is harmless
-- (its process's heartbeat stops, so it no longer counts). They are committed without waiting
-- for the WAL flush; a password change is not (the caller must not be told it happened unless
-- it is durable).
CREATE FUNCTION epp_session_open(
  p_instance        uuid,
  p_registrar       integer,
  p_client_id       text,
  p_client_ip       inet,
  p_max_sessions    integer,
  p_stale_after     interval,
  p_failures_since  timestamptz,
  p_max_failures    integer,
  p_new_password_hash text DEFAULT NULL
) RETURNS TABLE (outcome text, session_id bigint, failures integer)
LANGUAGE plpgsql AS $$
DECLARE
  open_sessions integer;
BEGIN
  -- Refused logins from this address or for this clID within the window (the audit log is the
  -- cluster-wide record of them; see the partial indexes in 0001).
  SELECT count(*)::int INTO failures FROM audit_log a
   WHERE a.command = 'login' AND a.result_code IN (2200, 2501) AND a.at > p_failures_since
     AND (a.client_ip = p_client_ip OR a.client_id = p_client_id);
  IF failures >= p_max_failures THEN
    outcome := 'locked';
    RETURN NEXT;
    RETURN;
  END IF;

  -- Serialises concurrent logins of one registrar across every process and node, so the count
  -- cannot be overshot. An advisory lock touches no row (no tuple lock to WAL-log, nothing for
  -- foreign-key checks on registrars to wait for) and is released at commit.
  PERFORM pg_advisory_xact_lock(5734, p_registrar);
  SELECT count(*)::int INTO open_sessions
    FROM epp_sessions e JOIN frontend_instances f USING (instance_id)
   WHERE e.registrar_id = p_registrar AND f.heartbeat_at > now() - p_stale_after;
  IF open_sessions >= p_max_sessions THEN
    outcome := 'full';
    RETURN NEXT;
    RETURN;
  END IF;

  INSERT INTO epp_sessions (instance_id, registrar_id, client_ip)
  VALUES (p_instance, p_registrar, p_client_ip)
  RETURNING id INTO session_id;

  IF p_new_password_hash IS NULL THEN
    PERFORM set_config('synchronous_commit', 'off', true);
  ELSE
    -- RFC 5730 §2.9.1.1 newPW; the registrars trigger NOTIFYs every front-end.
    UPDATE registrars SET password_hash = p_new_password_hash, updated_at = now() WHERE id = p_registrar;
  END IF;
  outcome := 'opened';
  RETURN NEXT;
END $$;

CREATE FUNCTION epp_session_close(p_session bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  DELETE FROM epp_sessions WHERE id = p_session;
END $$;
