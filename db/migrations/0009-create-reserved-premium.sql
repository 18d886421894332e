-- domain:create with the lifecycle's catalog (issue 4): the name's reservation (RFC 8495) and
-- premium price (RFC 8748) are read in the same round trip as everything else the create refers
-- to. A reserved name is written only when the registrar's allocation token (its SHA-256, as
-- stored) allocates it; the reservation is then used up. The flow decides the result codes from
-- what comes back, and charges in the next statement.

CREATE FUNCTION domain_create_reserved(
  p_registrar_id integer, p_zone_id integer, p_name text, p_roid_suffix text, p_registrant text, p_auth_pw text,
  p_now timestamptz, p_expires timestamptz, p_contact_handles text[], p_contact_types text[], p_ns text[],
  p_ds_key_tags integer[], p_ds_algs integer[], p_ds_digest_types integer[], p_ds_digests text[],
  p_sv_trid text, p_snapshot jsonb, p_token_sha256 text)
RETURNS TABLE (is_accredited boolean, is_taken boolean, found_contacts text[], found_hosts text[], created_id bigint, created_roid text,
               reservation jsonb, premium jsonb, allocated boolean)
LANGUAGE plpgsql AS $$
DECLARE
  r reserved_names%ROWTYPE;
BEGIN
  SELECT * INTO r FROM reserved_names WHERE name = p_name;
  reservation := CASE WHEN r.name IS NULL THEN NULL ELSE to_jsonb(r) END;
  premium := (SELECT to_jsonb(p) FROM premium_names p WHERE p.name = p_name);
  allocated := r.name IS NOT NULL AND r.registrar_id = p_registrar_id AND p_token_sha256 IS NOT NULL
               AND r.token_sha256 = p_token_sha256 AND (r.token_expires_at IS NULL OR r.token_expires_at > p_now);
  IF r.name IS NOT NULL AND NOT allocated THEN
    -- Reserved for someone else or blocked: report, write nothing.
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT c.is_accredited, c.is_taken, c.found_contacts, c.found_hosts, c.created_id, c.created_roid
    INTO is_accredited, is_taken, found_contacts, found_hosts, created_id, created_roid
    FROM domain_create(p_registrar_id, p_zone_id, p_name, p_roid_suffix, p_registrant, p_auth_pw, p_now, p_expires,
                       p_contact_handles, p_contact_types, p_ns, p_ds_key_tags, p_ds_algs, p_ds_digest_types, p_ds_digests,
                       p_sv_trid, p_snapshot) c;
  IF created_id IS NOT NULL AND allocated THEN
    DELETE FROM reserved_names WHERE name = p_name;
  END IF;
  RETURN NEXT;
END $$;
