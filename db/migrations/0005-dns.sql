-- DNS publication: per-zone apex settings, the publication state of each zone, and the change
-- queue written by triggers in the same transaction as every registry change that can alter a
-- zone, so no write path (EPP, CLI, bulk import, lifecycle jobs) can forget to publish.
--
-- The unit of publication is a "unit name": a name one label below the zone (a delegation point
-- and everything under it: NS, DS, glue, and apex name-server addresses that fall under it), or
-- the zone name itself (SOA and the apex NS RRset). The publisher rebuilds whole units.

-- Apex settings of a zone (RFC 1035 §3.3.13 SOA fields; TTLs; DNSSEC). A zone without a row is
-- given one from the configuration's defaults the first time the publisher sees it.
CREATE TABLE dns_zones (
  zone_id        integer PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
  publish        boolean NOT NULL DEFAULT true,
  -- SOA MNAME: the primary (hidden master) named in the SOA; RNAME: mailbox as a domain name.
  soa_mname      text NOT NULL CHECK (soa_mname = lower(soa_mname) AND soa_mname !~ '\.$'),
  soa_rname      text NOT NULL CHECK (soa_rname !~ '\.$'),
  soa_refresh    integer NOT NULL CHECK (soa_refresh > 0),
  soa_retry      integer NOT NULL CHECK (soa_retry > 0),
  soa_expire     integer NOT NULL CHECK (soa_expire > 0),
  -- The SOA MINIMUM field is the negative-caching TTL (RFC 2308 §4).
  soa_minimum    integer NOT NULL CHECK (soa_minimum >= 0),
  soa_ttl        integer NOT NULL CHECK (soa_ttl >= 0),
  ns_ttl         integer NOT NULL CHECK (ns_ttl >= 0),
  ds_ttl         integer NOT NULL CHECK (ds_ttl >= 0),
  glue_ttl       integer NOT NULL CHECK (glue_ttl >= 0),
  dnssec         boolean NOT NULL DEFAULT true,
  -- NSEC3 (RFC 5155) with iterations 0 and an empty salt (RFC 9276 §3.1); opt-out is flag 1.
  nsec3          boolean NOT NULL DEFAULT false,
  nsec3_opt_out  boolean NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The zone's own name servers; addresses are published as glue when the name is in the zone.
CREATE TABLE dns_zone_ns (
  zone_id  integer NOT NULL REFERENCES dns_zones(zone_id) ON DELETE CASCADE,
  name     text NOT NULL CHECK (name = lower(name) AND name !~ '\.$'),
  addrs    inet[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (zone_id, name)
);

-- What the publisher last did for a zone. The serial is kept here as well as in the published
-- SOA so that it keeps increasing (RFC 1982) even if the DNS database is rebuilt.
CREATE TABLE dns_zone_state (
  zone_id       integer PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
  serial        bigint NOT NULL CHECK (serial BETWEEN 0 AND 4294967295),
  published_at  timestamptz NOT NULL,
  resynced_at   timestamptz
);

-- The change queue: one row per unit name with unpublished changes, coalesced. seq changes on
-- every new change, so the publisher deletes a row only if nothing changed it since it was read.
CREATE SEQUENCE dns_change_seq;
CREATE TABLE dns_changes (
  zone_id    integer NOT NULL,
  name       text NOT NULL,
  seq        bigint NOT NULL,
  -- The oldest unpublished change of this name (clock_timestamp: close to its commit).
  queued_at  timestamptz NOT NULL,
  PRIMARY KEY (zone_id, name)
);
CREATE INDEX dns_changes_queued ON dns_changes (queued_at);

-- The unit name of an owner name in a zone: the zone itself, or its label just below the zone.
CREATE FUNCTION dns_unit(owner text, zone text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE
    WHEN owner = zone THEN zone
    WHEN right(owner, length(zone) + 1) = '.' || zone
      THEN reverse(split_part(reverse(left(owner, length(owner) - length(zone) - 1)), '.', 1)) || '.' || zone
    ELSE NULL END
$$;

-- Statement-level triggers with transition tables: one coalescing INSERT per statement, whatever
-- the number of rows. PostgreSQL allows transition tables only on single-event triggers, so each
-- table has one trigger per event, all calling one function per table.

CREATE FUNCTION dns_enqueue_domains() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Renewals, transfers and contact changes do not change the zone: only statuses and names do.
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT zone_id, name, nextval('dns_change_seq'), clock_timestamp() FROM (
      SELECT o.zone_id, o.name FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.statuses IS DISTINCT FROM n.statuses OR o.name <> n.name OR o.zone_id <> n.zone_id
      UNION
      SELECT n.zone_id, n.name FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.statuses IS DISTINCT FROM n.statuses OR o.name <> n.name OR o.zone_id <> n.zone_id) s
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSE -- DELETE
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT zone_id, name, nextval('dns_change_seq'), clock_timestamp() FROM (SELECT DISTINCT zone_id, name FROM old_rows) s
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER domains_dns_update AFTER UPDATE ON domains REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domains();
CREATE TRIGGER domains_dns_delete AFTER DELETE ON domains REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domains();

-- Delegation (domain_hosts) and DS (domain_ds) rows: the domain's unit. Rows of a domain deleted
-- in the same statement (ON DELETE CASCADE) find no domain; the domains trigger covers those.
CREATE FUNCTION dns_enqueue_domain_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT domain_id FROM new_rows)
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT domain_id FROM old_rows)
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSE
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT domain_id FROM new_rows UNION SELECT domain_id FROM old_rows)
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER domain_hosts_dns_insert AFTER INSERT ON domain_hosts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();
CREATE TRIGGER domain_hosts_dns_delete AFTER DELETE ON domain_hosts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();
CREATE TRIGGER domain_hosts_dns_update AFTER UPDATE ON domain_hosts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();
CREATE TRIGGER domain_ds_dns_insert AFTER INSERT ON domain_ds REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();
CREATE TRIGGER domain_ds_dns_delete AFTER DELETE ON domain_ds REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();
CREATE TRIGGER domain_ds_dns_update AFTER UPDATE ON domain_ds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_domain_children();

-- Hosts: a rename changes the NS RRset of every domain using the host and the glue of its
-- superordinate domain (old and new); a deleted host takes its glue with it. A new host is used
-- by no domain yet, so inserts need no trigger.
CREATE FUNCTION dns_enqueue_hosts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp() FROM domains d WHERE d.id IN (
      SELECT o.superordinate_id FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.name <> n.name OR o.superordinate_id IS DISTINCT FROM n.superordinate_id
      UNION
      SELECT n.superordinate_id FROM old_rows o JOIN new_rows n ON n.id = o.id
       WHERE o.name <> n.name OR o.superordinate_id IS DISTINCT FROM n.superordinate_id
      UNION
      SELECT dh.domain_id FROM domain_hosts dh JOIN old_rows o ON o.id = dh.host_id JOIN new_rows n ON n.id = o.id
       WHERE o.name <> n.name)
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSE -- DELETE
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT superordinate_id FROM old_rows)
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER hosts_dns_update AFTER UPDATE ON hosts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_hosts();
CREATE TRIGGER hosts_dns_delete AFTER DELETE ON hosts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_hosts();

-- Host addresses are glue of the host's superordinate domain (narrow glue: only that domain's
-- delegation carries it). Addresses of external hosts are never published.
CREATE FUNCTION dns_enqueue_host_addrs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT h.superordinate_id FROM hosts h WHERE h.id IN (SELECT host_id FROM new_rows))
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT h.superordinate_id FROM hosts h WHERE h.id IN (SELECT host_id FROM old_rows))
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  ELSE
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT d.zone_id, d.name, nextval('dns_change_seq'), clock_timestamp()
      FROM domains d WHERE d.id IN (SELECT h.superordinate_id FROM hosts h WHERE h.id IN (SELECT host_id FROM new_rows UNION SELECT host_id FROM old_rows))
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER host_addrs_dns_insert AFTER INSERT ON host_addrs REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_host_addrs();
CREATE TRIGGER host_addrs_dns_delete AFTER DELETE ON host_addrs REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_host_addrs();
CREATE TRIGGER host_addrs_dns_update AFTER UPDATE ON host_addrs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dns_enqueue_host_addrs();

-- Zones and their apex settings: a new zone is published from nothing; a settings change
-- rebuilds the apex, and apex name servers also rebuild the unit their name falls under.
-- Rare writes, so row-level triggers.
CREATE FUNCTION dns_enqueue_zone_apex() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  zid integer;
  zname text;
BEGIN
  IF TG_OP = 'DELETE' THEN zid := OLD.zone_id; ELSE zid := NEW.zone_id; END IF;
  SELECT name INTO zname FROM zones WHERE id = zid;
  IF zname IS NULL THEN RETURN NULL; END IF;
  INSERT INTO dns_changes (zone_id, name, seq, queued_at)
  VALUES (zid, zname, nextval('dns_change_seq'), clock_timestamp())
  ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  IF TG_TABLE_NAME = 'dns_zone_ns' THEN
    INSERT INTO dns_changes (zone_id, name, seq, queued_at)
    SELECT zid, u, nextval('dns_change_seq'), clock_timestamp() FROM (
      SELECT DISTINCT dns_unit(n, zname) AS u
        FROM unnest(ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.name END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.name END]) AS n) s
     WHERE u IS NOT NULL AND u <> zname
    ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER dns_zones_dns AFTER INSERT OR UPDATE OR DELETE ON dns_zones
  FOR EACH ROW EXECUTE FUNCTION dns_enqueue_zone_apex();
CREATE TRIGGER dns_zone_ns_dns AFTER INSERT OR UPDATE OR DELETE ON dns_zone_ns
  FOR EACH ROW EXECUTE FUNCTION dns_enqueue_zone_apex();

CREATE FUNCTION dns_enqueue_new_zone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dns_changes (zone_id, name, seq, queued_at)
  VALUES (NEW.id, NEW.name, nextval('dns_change_seq'), clock_timestamp())
  ON CONFLICT (zone_id, name) DO UPDATE SET seq = EXCLUDED.seq;
  RETURN NULL;
END $$;
CREATE TRIGGER zones_dns AFTER INSERT ON zones FOR EACH ROW EXECUTE FUNCTION dns_enqueue_new_zone();
