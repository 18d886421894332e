-- Registry objects (RFC 5731-5733): contacts, hosts, domains and their links, DS data (RFC 5910),
-- transfers and the poll queue (RFC 5730 §2.9.2.3).

-- ROIDs are "<letter><number>-<REPOID>" (RFC 5730 §2.8); one sequence for every object type.
CREATE SEQUENCE roid_seq;

CREATE TABLE contacts (
  id              bigserial PRIMARY KEY,
  roid            text NOT NULL UNIQUE,
  contact_id      text NOT NULL UNIQUE CHECK (length(contact_id) BETWEEN 3 AND 16),
  sponsor_id      integer NOT NULL REFERENCES registrars(id),
  creator_id      integer NOT NULL REFERENCES registrars(id),
  updater_id      integer REFERENCES registrars(id),
  postal_int      jsonb,
  postal_loc      jsonb,
  voice           text,
  voice_ext       text,
  fax             text,
  fax_ext         text,
  email           text NOT NULL,
  auth_pw         text NOT NULL,
  disclose        jsonb,
  statuses        text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz,
  transferred_at  timestamptz,
  CHECK (postal_int IS NOT NULL OR postal_loc IS NOT NULL)
);
CREATE INDEX contacts_sponsor ON contacts (sponsor_id);

CREATE TABLE domains (
  id              bigserial PRIMARY KEY,
  roid            text NOT NULL UNIQUE,
  -- A-label, lower case, no trailing dot.
  name            text NOT NULL UNIQUE CHECK (name = lower(name)),
  zone_id         integer NOT NULL REFERENCES zones(id),
  sponsor_id      integer NOT NULL REFERENCES registrars(id),
  creator_id      integer NOT NULL REFERENCES registrars(id),
  updater_id      integer REFERENCES registrars(id),
  registrant_id   bigint REFERENCES contacts(id),
  auth_pw         text NOT NULL DEFAULT '',
  -- Statuses set by clients or the registry; ok, inactive and pendingTransfer are derived.
  statuses        text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz,
  expires_at      timestamptz NOT NULL,
  transferred_at  timestamptz
);
CREATE INDEX domains_sponsor ON domains (sponsor_id);
CREATE INDEX domains_registrant ON domains (registrant_id);
CREATE INDEX domains_expires ON domains (expires_at);

CREATE TABLE domain_contacts (
  domain_id   bigint NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  contact_id  bigint NOT NULL REFERENCES contacts(id),
  type        text NOT NULL CHECK (type IN ('admin', 'billing', 'tech')),
  PRIMARY KEY (domain_id, type, contact_id)
);
CREATE INDEX domain_contacts_contact ON domain_contacts (contact_id);

CREATE TABLE hosts (
  id              bigserial PRIMARY KEY,
  roid            text NOT NULL UNIQUE,
  name            text NOT NULL UNIQUE CHECK (name = lower(name)),
  sponsor_id      integer NOT NULL REFERENCES registrars(id),
  creator_id      integer NOT NULL REFERENCES registrars(id),
  updater_id      integer REFERENCES registrars(id),
  -- Set for internal hosts (RFC 5732 §1.1): the domain in one of our zones they are under.
  superordinate_id bigint REFERENCES domains(id),
  statuses        text[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz,
  transferred_at  timestamptz
);
CREATE INDEX hosts_superordinate ON hosts (superordinate_id);
CREATE INDEX hosts_sponsor ON hosts (sponsor_id);

CREATE TABLE host_addrs (
  host_id  bigint NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  addr     inet NOT NULL,
  PRIMARY KEY (host_id, addr)
);
CREATE INDEX host_addrs_addr ON host_addrs (addr);

-- Delegation: the hostObj name servers of a domain.
CREATE TABLE domain_hosts (
  domain_id  bigint NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  host_id    bigint NOT NULL REFERENCES hosts(id),
  PRIMARY KEY (domain_id, host_id)
);
CREATE INDEX domain_hosts_host ON domain_hosts (host_id);

CREATE TABLE domain_ds (
  domain_id    bigint NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  key_tag      integer NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
  alg          integer NOT NULL CHECK (alg BETWEEN 0 AND 255),
  digest_type  integer NOT NULL CHECK (digest_type BETWEEN 0 AND 255),
  digest       text NOT NULL CHECK (digest ~ '^[0-9A-F]+$'),
  PRIMARY KEY (domain_id, key_tag, alg, digest_type, digest)
);

-- Transfers of domains and contacts (RFC 5731 §3.2.4, RFC 5733 §3.2.4); at most one pending per object.
CREATE TABLE transfers (
  id            bigserial PRIMARY KEY,
  object_type   text NOT NULL CHECK (object_type IN ('domain', 'contact')),
  object_id     bigint NOT NULL,
  gaining_id    integer NOT NULL REFERENCES registrars(id),
  losing_id     integer NOT NULL REFERENCES registrars(id),
  status        text NOT NULL CHECK (status IN ('pending', 'clientApproved', 'clientCancelled', 'clientRejected', 'serverApproved', 'serverCancelled')),
  requested_at  timestamptz NOT NULL,
  -- acDate: when the transfer is auto-approved unless acted on (then: when it was acted on).
  action_at     timestamptz NOT NULL,
  period_value  integer,
  period_unit   text CHECK (period_unit IN ('y', 'm')),
  -- Expiry after an approved domain transfer (shown in trnData while pending, as RFC 5731 allows).
  new_expires_at timestamptz
);
CREATE UNIQUE INDEX transfers_one_pending ON transfers (object_type, object_id) WHERE status = 'pending';
CREATE INDEX transfers_due ON transfers (action_at) WHERE status = 'pending';

-- The poll queue: one row per message to one registrar, oldest first (RFC 5730 §2.9.2.3).
CREATE TABLE poll_messages (
  id            bigserial PRIMARY KEY,
  registrar_id  integer NOT NULL REFERENCES registrars(id),
  created_at    timestamptz NOT NULL,
  msg           text NOT NULL,
  -- The resData (and extension) to return with the message, as the render tree. json, not
  -- jsonb: element order is significant and jsonb does not keep key order.
  res_data      json,
  extension     json
);
CREATE INDEX poll_messages_queue ON poll_messages (registrar_id, id);
