CREATE TABLE "audit_log_leaves" (
	"leaf_index" bigint PRIMARY KEY NOT NULL,
	"event_seq" bigint NOT NULL,
	CONSTRAINT "audit_log_leaves_event_seq_unique" UNIQUE("event_seq")
);
--> statement-breakpoint
CREATE TABLE "audit_pending" (
	"seq" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log_leaves" ADD CONSTRAINT "audit_log_leaves_event_seq_audit_events_seq_fk" FOREIGN KEY ("event_seq") REFERENCES "public"."audit_events"("seq") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Sequencing no longer rewrites the event: leaf_index was indexed, so each assignment was a whole
-- new version of the row plus a new entry in every index of audit_events. Each event's place moves
-- to audit_log_leaves, in leaf order, and the events still waiting for the sequencer to its queue;
-- the tree's nodes and checkpoints are unchanged, so the log verifies as before.
INSERT INTO "audit_log_leaves" ("leaf_index", "event_seq")
  SELECT "leaf_index", "seq" FROM "audit_events" WHERE "leaf_index" IS NOT NULL ORDER BY "leaf_index";--> statement-breakpoint
INSERT INTO "audit_pending" ("seq") SELECT "seq" FROM "audit_events" WHERE "leaf_index" IS NULL;--> statement-breakpoint
DROP INDEX "audit_events_leaf_idx";--> statement-breakpoint
DROP INDEX "audit_events_pending_idx";--> statement-breakpoint
ALTER TABLE "audit_events" DROP COLUMN "leaf_index";--> statement-breakpoint
-- Events are now strictly append-only: no UPDATE or DELETE, with no exception (TRUNCATE is
-- refused since migration 0001).
DROP TRIGGER "audit_events_no_update_delete" ON "audit_events";--> statement-breakpoint
DROP FUNCTION audit_events_refuse_change_but_sequencing();--> statement-breakpoint
CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();--> statement-breakpoint
CREATE TRIGGER "audit_log_leaves_append_only" BEFORE UPDATE OR DELETE ON "audit_log_leaves"
  FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only_table();--> statement-breakpoint
CREATE TRIGGER "audit_log_leaves_no_truncate" BEFORE TRUNCATE ON "audit_log_leaves"
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_of_append_only_table();--> statement-breakpoint
-- The database queues every committed event for the sequencer itself, once per statement (bulk
-- inserts included), so no way of writing an event can leave it out of the log.
CREATE FUNCTION audit_events_queue_for_sequencer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_pending (seq) SELECT seq FROM added;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_queue_for_sequencer" AFTER INSERT ON "audit_events"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit_events_queue_for_sequencer();
