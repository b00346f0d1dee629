CREATE TABLE "notification_pending" (
	"seq" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_reads" (
	"notification_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"read_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_reads_notification_id_user_id_pk" PRIMARY KEY("notification_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"party_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"event_seq" bigint NOT NULL,
	"kind" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"title" jsonb NOT NULL,
	"link" text NOT NULL,
	"due_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_reads" ADD CONSTRAINT "notification_reads_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_reads" ADD CONSTRAINT "notification_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_event_party_kind_idx" ON "notifications" USING btree ("event_seq","party_id","kind");--> statement-breakpoint
CREATE INDEX "notifications_party_idx" ON "notifications" USING btree ("party_id","created_at","id");--> statement-breakpoint
-- Every audit event is queued for the notifier in the transaction that records it, as for the
-- sequencer (0010): queued if and only if it committed, whichever process or script wrote it.
CREATE FUNCTION audit_events_queue_for_notifier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO notification_pending (seq) SELECT seq FROM added;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_queue_for_notifier" AFTER INSERT ON "audit_events"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit_events_queue_for_notifier();
