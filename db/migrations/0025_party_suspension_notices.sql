-- A party's suspension is read on every request that may change something (identity/suspension.ts
-- refuses it while the party is suspended), from a per-process cache keyed by party. This trigger
-- announces each suspension and reinstatement on the channel every process listens to
-- (src/lib/changes.ts), so the next request in any process sees it. Delivered on commit only.
CREATE FUNCTION dx_notify_party_suspension() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('dx_changes', 'party:' || NEW.id::text);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER parties_suspension_changed AFTER UPDATE OF suspended_at, suspension_reason ON parties
  FOR EACH ROW WHEN (OLD.suspended_at IS DISTINCT FROM NEW.suspended_at OR OLD.suspension_reason IS DISTINCT FROM NEW.suspension_reason)
  EXECUTE FUNCTION dx_notify_party_suspension();
