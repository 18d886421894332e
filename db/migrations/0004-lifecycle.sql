-- Domain lifecycle and accounting (issue 4): grace periods, the redemption grace period
-- (RFC 3915), reserved and premium names, price lists, registrar accounts and an immutable ledger.
-- Money is kept in integer minor units of the currency (cents for USD/EUR) so that sums are exact.

-- RGP state of a deleted domain (RFC 3915 §2); NULL while the domain is live. Every domain in
-- an RGP state also carries the EPP status pendingDelete (RFC 3915 §3.1), which is what takes it
-- out of the DNS; the CHECK keeps the two from drifting apart.
ALTER TABLE domains
  ADD COLUMN rgp_status text CHECK (rgp_status IN ('redemptionPeriod', 'pendingRestore', 'pendingDelete')),
  -- When the delete was accepted (start of the redemption period).
  ADD COLUMN deleted_at timestamptz,
  -- When the current RGP state ends and the scheduler moves the domain on.
  ADD COLUMN rgp_until timestamptz,
  -- The svTRID of the delete: the paTRID of the purge notice (RFC 5731 §3.3).
  ADD COLUMN delete_sv_trid text,
  -- The restore fee charged with the restore request, refunded if no report arrives in time.
  ADD COLUMN restore_charge_id bigint,
  ADD CONSTRAINT domains_rgp_is_pending_delete CHECK (rgp_status IS NULL OR 'pendingDelete' = ANY (statuses)),
  ADD CONSTRAINT domains_rgp_has_deadline CHECK ((rgp_status IS NULL) = (rgp_until IS NULL));
CREATE INDEX domains_rgp_due ON domains (rgp_until) WHERE rgp_status IS NOT NULL;

-- Grace periods (RFC 3915 §1; ICANN practice): while one runs, the operation that started it can
-- be undone with a refund of the charge it made.
CREATE TABLE domain_grace_periods (
  id            bigserial PRIMARY KEY,
  domain_id     bigint NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('addPeriod', 'renewPeriod', 'autoRenewPeriod', 'transferPeriod')),
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL CHECK (ends_at >= starts_at),
  -- The registrar that paid, and the charge refunded if the grace period is used.
  registrar_id  integer NOT NULL REFERENCES registrars(id),
  charge_id     bigint,
  -- Years the operation added to the expiry, taken back when it is refunded.
  years         integer NOT NULL DEFAULT 0 CHECK (years >= 0)
);
CREATE INDEX domain_grace_periods_domain ON domain_grace_periods (domain_id, ends_at);
CREATE INDEX domain_grace_periods_ends ON domain_grace_periods (ends_at);

-- Standard prices per zone and operation, in the zone's currency (zones.policy.currency). create,
-- renew, autoRenew and transfer are per year; restore is per restore. A missing row means the
-- operation is free (still recorded in the ledger, with amount 0).
CREATE TABLE prices (
  zone_id     integer NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  operation   text NOT NULL CHECK (operation IN ('create', 'renew', 'autoRenew', 'transfer', 'restore')),
  amount      bigint NOT NULL CHECK (amount >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (zone_id, operation)
);

-- Premium names: their own prices (fee class "premium", RFC 8748 §3.7); creating one requires the
-- fee extension. Auto-renew of a premium name costs its renew price.
CREATE TABLE premium_names (
  name             text PRIMARY KEY CHECK (name = lower(name)),
  zone_id          integer NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  class            text NOT NULL DEFAULT 'premium' CHECK (class ~ '^[A-Za-z0-9-]{1,32}$'),
  create_amount    bigint NOT NULL CHECK (create_amount >= 0),
  renew_amount     bigint NOT NULL CHECK (renew_amount >= 0),
  transfer_amount  bigint NOT NULL CHECK (transfer_amount >= 0),
  restore_amount   bigint CHECK (restore_amount >= 0),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX premium_names_zone ON premium_names (zone_id);

-- Reserved names: blocked, or allocatable to one registrar that presents the allocation token
-- (RFC 8495). Only a SHA-256 of the token is stored.
CREATE TABLE reserved_names (
  name              text PRIMARY KEY CHECK (name = lower(name)),
  zone_id           integer NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  reason            text NOT NULL DEFAULT 'Reserved',
  registrar_id      integer REFERENCES registrars(id) ON DELETE SET NULL,
  token_sha256      text CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  token_expires_at  timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((registrar_id IS NULL) = (token_sha256 IS NULL)),
  CHECK (token_expires_at IS NULL OR token_sha256 IS NOT NULL)
);
CREATE INDEX reserved_names_zone ON reserved_names (zone_id);
CREATE INDEX reserved_names_token_expiry ON reserved_names (token_expires_at) WHERE token_expires_at IS NOT NULL;

-- A registrar's account in one currency. balance may go below zero down to -credit_limit for
-- commands; auto-renewals are an obligation the registry honours even beyond it (they are billed
-- regardless, and the registrar is told by a low-balance poll message).
CREATE TABLE accounts (
  registrar_id           integer NOT NULL REFERENCES registrars(id) ON DELETE CASCADE,
  currency               char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  balance                bigint NOT NULL DEFAULT 0,
  credit_limit           bigint NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
  -- A poll message is queued once when the available funds (balance + credit_limit) fall below
  -- this; the flag re-arms when they rise above it again.
  low_balance_threshold  bigint CHECK (low_balance_threshold >= 0),
  low_balance_notified   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (registrar_id, currency)
);

-- The ledger: every money movement, never changed or removed. The sum of an account's entries is
-- its balance (balance_after is the running balance, kept for statements).
CREATE TABLE ledger_entries (
  id             bigserial PRIMARY KEY,
  registrar_id   integer NOT NULL,
  currency       char(3) NOT NULL,
  at             timestamptz NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('charge', 'refund', 'topup', 'adjustment')),
  -- What a charge or refund paid for.
  operation      text CHECK (operation IN ('create', 'renew', 'autoRenew', 'transfer', 'restore')),
  -- Signed minor units: charges are negative, refunds and top-ups positive.
  amount         bigint NOT NULL,
  balance_after  bigint NOT NULL,
  zone_id        integer REFERENCES zones(id),
  -- The domain stays named after it is purged: no foreign key to domains.
  domain_roid    text,
  domain_name    text,
  years          integer,
  fee_class      text,
  refund_of      bigint UNIQUE REFERENCES ledger_entries(id),
  sv_trid        text,
  description    text,
  FOREIGN KEY (registrar_id, currency) REFERENCES accounts (registrar_id, currency),
  CHECK (kind <> 'charge' OR (amount <= 0 AND operation IS NOT NULL)),
  CHECK (kind <> 'refund' OR (amount >= 0 AND refund_of IS NOT NULL)),
  CHECK (kind <> 'topup' OR amount > 0),
  CHECK ((kind IN ('charge', 'refund')) = (operation IS NOT NULL))
);
CREATE INDEX ledger_entries_account_at ON ledger_entries (registrar_id, currency, at, id);
CREATE INDEX ledger_entries_domain ON ledger_entries (domain_roid);

ALTER TABLE domain_grace_periods ADD FOREIGN KEY (charge_id) REFERENCES ledger_entries(id);
ALTER TABLE domains ADD FOREIGN KEY (restore_charge_id) REFERENCES ledger_entries(id);
-- A domain transfer is charged to the gaining registrar with the request; refunded if it does not complete.
ALTER TABLE transfers ADD COLUMN charge_id bigint REFERENCES ledger_entries(id);

CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are immutable: record a refund or an adjustment instead'
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_immutable();

-- Price lists are cached per process: a change nudges the zone's key (the notice is a nudge).
CREATE FUNCTION notify_zone_catalog() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  rec record;
BEGIN
  IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
  PERFORM pg_notify('registry_cache', 'zone:' || rec.zone_id);
  RETURN NULL;
END $$;
CREATE TRIGGER prices_cache AFTER INSERT OR UPDATE OR DELETE ON prices
  FOR EACH ROW EXECUTE FUNCTION notify_zone_catalog();

-- An account exists for every accredited registrar in the zone's currency, however the
-- accreditation is made (CLI, seed, portal).
CREATE FUNCTION accounts_for_accreditation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO accounts (registrar_id, currency)
  SELECT NEW.registrar_id, coalesce(z.policy->>'currency', 'USD') FROM zones z WHERE z.id = NEW.zone_id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER registrar_zones_account AFTER INSERT ON registrar_zones
  FOR EACH ROW EXECUTE FUNCTION accounts_for_accreditation();

INSERT INTO accounts (registrar_id, currency)
SELECT DISTINCT rz.registrar_id, coalesce(z.policy->>'currency', 'USD')
  FROM registrar_zones rz JOIN zones z ON z.id = rz.zone_id
ON CONFLICT DO NOTHING;
