-- Registration data services (issue 5): the registrar data WHOIS and RDAP publish, read functions
-- with cached plans for the hot lookups, prefix-search indexes, and cache nudges for RDDS caches.

-- What RA Specification 4 and the gTLD RDAP Response Profile publish about a registrar, beyond
-- name, IANA ID, email and URL (0001). rdds_contacts: [{"type":"admin"|"tech","name","voice","fax","email"}].
ALTER TABLE registrars
  ADD COLUMN whois_server   text CHECK (whois_server ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
  ADD COLUMN rdap_base_url  text CHECK (rdap_base_url ~ '^https?://[^ ]+/$'),
  ADD COLUMN abuse_email    text,
  ADD COLUMN abuse_phone    text CHECK (abuse_phone ~ '^\+[0-9]{1,3}\.[0-9]{1,14}$'),
  ADD COLUMN voice          text CHECK (voice ~ '^\+[0-9]{1,3}\.[0-9]{1,14}$'),
  ADD COLUMN fax            text CHECK (fax ~ '^\+[0-9]{1,3}\.[0-9]{1,14}$'),
  ADD COLUMN street         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(street) <= 3),
  ADD COLUMN city           text,
  ADD COLUMN sp             text,
  ADD COLUMN pc             text,
  ADD COLUMN cc             text CHECK (cc ~ '^[A-Z]{2}$'),
  ADD COLUMN rdds_contacts  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rdds_contacts) = 'array');
-- RDAP looks registrars up by IANA ID (the registrar entity's handle, gTLD RDAP Profile 2.4.2).
CREATE UNIQUE INDEX registrars_iana_id ON registrars (iana_id) WHERE iana_id IS NOT NULL;

-- Prefix searches (RFC 9082 §4.1 "name*") use LIKE 'prefix%', which a btree serves only under the
-- C collation (the embedded cluster's); elsewhere a text_pattern_ops index is needed. It is built
-- only where it is needed: every domain and host create pays for each index.
DO $$
BEGIN
  IF (SELECT datcollate FROM pg_database WHERE datname = current_database()) NOT IN ('C', 'POSIX') THEN
    CREATE INDEX domains_name_prefix ON domains (name text_pattern_ops);
    CREATE INDEX hosts_name_prefix ON hosts (name text_pattern_ops);
  END IF;
END $$;

-- One lookup, one round trip: the domain with everything WHOIS and RDAP show (except the
-- registrar and the zone policy, which the front-end holds in memory). PL/pgSQL caches the plan
-- per connection, which matters at thousands of lookups per second. to_jsonb(d) keeps new
-- columns flowing through without a new function. replay_lsn (NULL on a primary) lets the
-- front-end tell whether a standby had replayed a change it was notified of.
CREATE FUNCTION rdds_domain(p_name text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT (to_jsonb(d) - 'auth_pw') || jsonb_build_object(
           'pending_transfer', EXISTS (SELECT 1 FROM transfers t WHERE t.object_type = 'domain' AND t.object_id = d.id AND t.status = 'pending'),
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

-- A host (RDAP nameserver, WHOIS "nameserver NAME") with its addresses and whether it is linked.
CREATE FUNCTION rdds_host(p_name text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT to_jsonb(h) || jsonb_build_object(
           'addrs', coalesce((SELECT jsonb_agg(host(a.addr) ORDER BY family(a.addr), a.addr) FROM host_addrs a WHERE a.host_id = h.id), '[]'::jsonb),
           'linked', EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.host_id = h.id))
    INTO found
    FROM hosts h WHERE h.name = p_name;
  RETURN jsonb_build_object('replay_lsn', pg_last_wal_replay_lsn()::text, 'host', found);
END $$;

-- A contact by ROID (its RDAP entity handle), never with its authInfo.
CREATE FUNCTION rdds_contact(p_roid text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  found jsonb;
BEGIN
  SELECT (to_jsonb(c) - 'auth_pw') || jsonb_build_object(
           'linked', EXISTS (SELECT 1 FROM domain_contacts dc WHERE dc.contact_id = c.id) OR EXISTS (SELECT 1 FROM domains d WHERE d.registrant_id = c.id),
           'pending_transfer', EXISTS (SELECT 1 FROM transfers t WHERE t.object_type = 'contact' AND t.object_id = c.id AND t.status = 'pending'))
    INTO found
    FROM contacts c WHERE c.roid = p_roid;
  RETURN jsonb_build_object('replay_lsn', pg_last_wal_replay_lsn()::text, 'contact', found);
END $$;

-- Cache nudges for RDDS: one small key per changed row in a change log the RDDS front-ends poll
-- (every rdds.changePollMs). Not NOTIFY: a transaction that notifies takes a cluster-wide lock
-- at commit, serialising every writer's commit and WAL flush behind it (measured: one NOTIFY per
-- transaction cut 4-client insert throughput from ~1,300 to ~740 per second; two change-log
-- rows cost ~6%). UNLOGGED: the log is a nudge, not data — it costs no WAL, and after a crash
-- or failover it is empty, which the pollers notice (their connection broke) and answer by
-- flushing everything. Keys: rdds:d:<id>[:<name>] domain, rdds:h:<id>[:<name>] host,
-- rdds:c:<id>[:<roid>] contact; the name (ROID) rides along from the object's own table, where a
-- lookup by it may have cached "not found". xid orders rows by transaction for the pollers:
-- a transaction still running when a poll looked has an xid at or above that poll's xmin.
CREATE UNLOGGED TABLE rdds_changes (
  xid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at   timestamptz NOT NULL DEFAULT now(),
  key  text NOT NULL
);
CREATE INDEX rdds_changes_xid ON rdds_changes (xid);

CREATE FUNCTION log_rdds_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec record;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  IF TG_TABLE_NAME = 'domains' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:d:' || rec.id || ':' || rec.name);
    -- A contact shows "linked" while it is some domain's registrant (RFC 5733 §2.2).
    IF TG_OP <> 'UPDATE' OR OLD.registrant_id IS DISTINCT FROM NEW.registrant_id THEN
      IF TG_OP <> 'INSERT' AND OLD.registrant_id IS NOT NULL THEN INSERT INTO rdds_changes (key) VALUES ('rdds:c:' || OLD.registrant_id); END IF;
      IF TG_OP <> 'DELETE' AND NEW.registrant_id IS NOT NULL THEN INSERT INTO rdds_changes (key) VALUES ('rdds:c:' || NEW.registrant_id); END IF;
    END IF;
  ELSIF TG_TABLE_NAME = 'hosts' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:h:' || rec.id || ':' || rec.name);
    IF TG_OP = 'UPDATE' AND OLD.name <> NEW.name THEN
      INSERT INTO rdds_changes (key) VALUES ('rdds:h:' || OLD.id || ':' || OLD.name);
    END IF;
  ELSIF TG_TABLE_NAME = 'contacts' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:c:' || rec.id || ':' || rec.roid);
  ELSIF TG_TABLE_NAME = 'domain_contacts' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:d:' || rec.domain_id);
    INSERT INTO rdds_changes (key) VALUES ('rdds:c:' || rec.contact_id);
  ELSIF TG_TABLE_NAME = 'domain_hosts' THEN
    -- The host's "linked" status changes with the delegation (RFC 5732 §2.3).
    INSERT INTO rdds_changes (key) VALUES ('rdds:d:' || rec.domain_id);
    INSERT INTO rdds_changes (key) VALUES ('rdds:h:' || rec.host_id);
  ELSIF TG_TABLE_NAME = 'domain_ds' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:d:' || rec.domain_id);
  ELSIF TG_TABLE_NAME = 'host_addrs' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:h:' || rec.host_id);
  ELSIF TG_TABLE_NAME = 'transfers' THEN
    INSERT INTO rdds_changes (key) VALUES ('rdds:' || CASE WHEN rec.object_type = 'domain' THEN 'd:' ELSE 'c:' END || rec.object_id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER domains_rdds AFTER INSERT OR UPDATE OR DELETE ON domains FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER hosts_rdds AFTER INSERT OR UPDATE OR DELETE ON hosts FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER contacts_rdds AFTER INSERT OR UPDATE OR DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER domain_contacts_rdds AFTER INSERT OR UPDATE OR DELETE ON domain_contacts FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER domain_hosts_rdds AFTER INSERT OR UPDATE OR DELETE ON domain_hosts FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER domain_ds_rdds AFTER INSERT OR UPDATE OR DELETE ON domain_ds FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER host_addrs_rdds AFTER INSERT OR UPDATE OR DELETE ON host_addrs FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
CREATE TRIGGER transfers_rdds AFTER INSERT OR UPDATE OR DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION log_rdds_change();
