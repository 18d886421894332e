-- Platform tables: zones, registrars and their security settings, front-end instances and EPP
-- sessions (for cluster-wide session limits), the audit log and object history.
-- Migrations are never edited once merged: add a new numbered file instead.

CREATE TABLE zones (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (name = lower(name) AND name !~ '\.$' AND length(name) BETWEEN 1 AND 253),
  policy      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registrars (
  id             serial PRIMARY KEY,
  client_id      text NOT NULL UNIQUE CHECK (length(client_id) BETWEEN 3 AND 16),
  name           text NOT NULL,
  iana_id        integer,
  email          text,
  url            text,
  -- scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>; never the password itself.
  password_hash  text NOT NULL,
  enabled        boolean NOT NULL DEFAULT true,
  max_sessions   integer NOT NULL DEFAULT 10 CHECK (max_sessions BETWEEN 1 AND 1000),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Per-registrar IP allow-list (RFC 5734 §9 leaves client identification to policy).
CREATE TABLE registrar_ips (
  registrar_id  integer NOT NULL REFERENCES registrars(id) ON DELETE CASCADE,
  cidr          cidr NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (registrar_id, cidr)
);

-- Client certificates bound to a registrar by SHA-256 fingerprint of the DER certificate.
CREATE TABLE registrar_certs (
  registrar_id  integer NOT NULL REFERENCES registrars(id) ON DELETE CASCADE,
  fingerprint   text NOT NULL CHECK (fingerprint ~ '^[0-9A-F]{2}(:[0-9A-F]{2}){31}$'),
  subject       text NOT NULL,
  serial        text,
  not_after     timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (registrar_id, fingerprint)
);

-- Accreditation: which registrar may register in which zone.
CREATE TABLE registrar_zones (
  registrar_id  integer NOT NULL REFERENCES registrars(id) ON DELETE CASCADE,
  zone_id       integer NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  PRIMARY KEY (registrar_id, zone_id)
);

-- One row per running front-end process; sessions of a process whose heartbeat is stale no
-- longer count towards a registrar's session limit (the process died without cleaning up).
CREATE TABLE frontend_instances (
  instance_id   uuid PRIMARY KEY,
  kind          text NOT NULL,
  hostname      text NOT NULL,
  pid           integer NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE epp_sessions (
  id            bigserial PRIMARY KEY,
  instance_id   uuid NOT NULL REFERENCES frontend_instances(instance_id) ON DELETE CASCADE,
  registrar_id  integer NOT NULL REFERENCES registrars(id) ON DELETE CASCADE,
  client_ip     inet NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX epp_sessions_registrar ON epp_sessions (registrar_id);

-- Every EPP command (and every refused login) is audited; requests are stored with passwords
-- and authInfo masked.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL,
  registrar_id  integer REFERENCES registrars(id) ON DELETE SET NULL,
  client_id     text,
  client_ip     inet,
  channel       text NOT NULL DEFAULT 'epp',
  cl_trid       text,
  sv_trid       text NOT NULL,
  command       text NOT NULL,
  object_type   text,
  object_id     text,
  result_code   integer NOT NULL,
  duration_ms   real NOT NULL,
  request       text
);
CREATE INDEX audit_log_registrar_at ON audit_log (registrar_id, at);
CREATE INDEX audit_log_sv_trid ON audit_log (sv_trid);

-- One row per transform of a registry object: its state after the change.
CREATE TABLE object_history (
  id            bigserial PRIMARY KEY,
  object_type   text NOT NULL,
  object_roid   text NOT NULL,
  at            timestamptz NOT NULL,
  registrar_id  integer REFERENCES registrars(id) ON DELETE SET NULL,
  sv_trid       text NOT NULL,
  action        text NOT NULL,
  snapshot      jsonb NOT NULL
);
CREATE INDEX object_history_object ON object_history (object_type, object_roid, at);

-- Cache invalidation: any change to data a front-end caches sends a small key on one channel;
-- listeners drop that key and reload from the database (the notice is a nudge, not data).
CREATE FUNCTION notify_registry_cache() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  key text;
  rec record;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  IF TG_TABLE_NAME = 'registrars' THEN
    key := 'registrar:' || rec.id;
  ELSIF TG_TABLE_NAME IN ('registrar_ips', 'registrar_certs', 'registrar_zones') THEN
    key := 'registrar:' || rec.registrar_id;
  ELSIF TG_TABLE_NAME = 'zones' THEN
    key := 'zone:' || rec.id;
  END IF;
  PERFORM pg_notify('registry_cache', key);
  RETURN NULL;
END $$;

CREATE TRIGGER registrars_cache AFTER INSERT OR UPDATE OR DELETE ON registrars
  FOR EACH ROW EXECUTE FUNCTION notify_registry_cache();
CREATE TRIGGER registrar_ips_cache AFTER INSERT OR UPDATE OR DELETE ON registrar_ips
  FOR EACH ROW EXECUTE FUNCTION notify_registry_cache();
CREATE TRIGGER registrar_certs_cache AFTER INSERT OR UPDATE OR DELETE ON registrar_certs
  FOR EACH ROW EXECUTE FUNCTION notify_registry_cache();
CREATE TRIGGER registrar_zones_cache AFTER INSERT OR UPDATE OR DELETE ON registrar_zones
  FOR EACH ROW EXECUTE FUNCTION notify_registry_cache();
CREATE TRIGGER zones_cache AFTER INSERT OR UPDATE OR DELETE ON zones
  FOR EACH ROW EXECUTE FUNCTION notify_registry_cache();

-- Failed-login rate limiting counts recent refusals by address and by clID.
CREATE INDEX audit_log_login_failures_ip ON audit_log (client_ip, at) WHERE command = 'login' AND result_code IN (2200, 2501);
CREATE INDEX audit_log_login_failures_clid ON audit_log (client_id, at) WHERE command = 'login' AND result_code IN (2200, 2501);
