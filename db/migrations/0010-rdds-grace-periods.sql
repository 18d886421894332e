-- WHOIS and RDAP show a domain's running grace periods as statuses (RFC 8056 §2: "add period",
-- "renew period", "auto renew period", "transfer period"), like its RGP state. rdds_domain() gains
-- its grace periods with their ends (the front-end keeps those still running at its clock); a
-- grace period that starts or is used or pruned (the job runner drops ended ones every pass)
-- nudges the RDDS caches through the change log, so a cached answer drops an ended grace period
-- within one job interval.

CREATE OR REPLACE FUNCTION rdds_domain(p_name text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT (to_jsonb(d) - 'auth_pw') || jsonb_build_object(
           'pending_transfer', EXISTS (SELECT 1 FROM transfers t WHERE t.object_type = 'domain' AND t.object_id = d.id AND t.status = 'pending'),
           'graces', coalesce((SELECT jsonb_agg(jsonb_build_object('kind', g.kind, 'ends', g.ends_at)) FROM domain_grace_periods g WHERE g.domain_id = d.id), '[]'::jsonb),
           'ns', coalesce((SELECT jsonb_agg(jsonb_build_object('id', h.id, 'roid', h.roid, 'name', h.name) ORDER BY h.name)
                             FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id WHERE dh.domain_id = d.id), '[]'::jsonb),
           'ds', coalesce((SELECT jsonb_agg(jsonb_build_object('keyTag', x.key_tag, 'alg', x.alg, 'digestType', x.digest_type, 'digest', x.digest)
                                            ORDER BY x.key_tag, x.alg, x.digest_type, x.digest)
                             FROM domain_ds x WHERE x.domain_id = d.id), '[]'::jsonb),
           'contacts', coalesce((SELECT jsonb_agg(jsonb_build_object('role', r.role) || (to_jsonb(c) - 'auth_pw') ORDER BY r.ord, r.role, c.contact_id)
                                   FROM (SELECT 'registrant'::text AS role, 0 AS ord, d.registrant_id AS cid
                                         UNION ALL SELECT dc.type, 1, dc.contact_id FROM domain_contacts dc WHERE dc.domain_id = d.id) r
                                   JOIN contacts c ON c.id = r.cid), '[]'::jsonb))
    INTO found
    FROM domains d WHERE d.name = p_name;
  RETURN jsonb_build_object('replay_lsn', pg_last_wal_replay_lsn()::text, 'domain', found);
END $$;

CREATE FUNCTION log_rdds_grace_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec record;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  INSERT INTO rdds_changes (key) VALUES ('rdds:d:' || rec.domain_id);
  RETURN NULL;
END $$;
CREATE TRIGGER domain_grace_periods_rdds AFTER INSERT OR DELETE ON domain_grace_periods
  FOR EACH ROW EXECUTE FUNCTION log_rdds_grace_change();
