CREATE TABLE "public_data_demands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"demander_party_id" uuid NOT NULL,
	"demander_user_id" uuid NOT NULL,
	"wanted_data" text NOT NULL,
	"intended_use" text NOT NULL,
	"department_party_id" uuid,
	"status" text NOT NULL,
	"year" integer NOT NULL,
	"entry_id" uuid,
	"planned_on" date,
	"reasons" text,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "public_data_objection_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"party_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"media_type" text NOT NULL,
	"filename" text,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"entry_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"objector_party_id" uuid NOT NULL,
	"objector_user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"description" text NOT NULL,
	"evidence_text" text,
	"evidence_file_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"working_days" integer NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"due_date" date NOT NULL,
	"deadline_provisional" boolean NOT NULL,
	"calendar_versions" jsonb NOT NULL,
	"reasons" text,
	"answered_at" timestamp (3) with time zone,
	"correction_version_id" uuid,
	"closed_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "public_data_opening_priorities" (
	"year" integer NOT NULL,
	"version" integer NOT NULL,
	"note" text NOT NULL,
	"items" jsonb NOT NULL,
	"published_by" uuid NOT NULL,
	"published_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "public_data_opening_priorities_year_version_pk" PRIMARY KEY("year","version")
);
--> statement-breakpoint
CREATE TABLE "public_data_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "public_data_demands" ADD CONSTRAINT "public_data_demands_demander_party_id_parties_id_fk" FOREIGN KEY ("demander_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_demands" ADD CONSTRAINT "public_data_demands_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_demands" ADD CONSTRAINT "public_data_demands_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objection_evidence" ADD CONSTRAINT "public_data_objection_evidence_party_id_parties_id_fk" FOREIGN KEY ("party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objections" ADD CONSTRAINT "public_data_objections_entry_id_public_data_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."public_data_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objections" ADD CONSTRAINT "public_data_objections_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objections" ADD CONSTRAINT "public_data_objections_objector_party_id_parties_id_fk" FOREIGN KEY ("objector_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objections" ADD CONSTRAINT "public_data_objections_evidence_file_id_public_data_objection_evidence_id_fk" FOREIGN KEY ("evidence_file_id") REFERENCES "public"."public_data_objection_evidence"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_objections" ADD CONSTRAINT "public_data_objections_correction_version_id_public_data_versions_id_fk" FOREIGN KEY ("correction_version_id") REFERENCES "public"."public_data_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "public_data_demands_department_idx" ON "public_data_demands" USING btree ("department_party_id","status");--> statement-breakpoint
CREATE INDEX "public_data_demands_year_idx" ON "public_data_demands" USING btree ("year","received_at");--> statement-breakpoint
CREATE INDEX "public_data_objections_entry_idx" ON "public_data_objections" USING btree ("entry_id","status");--> statement-breakpoint
CREATE INDEX "public_data_objections_department_idx" ON "public_data_objections" USING btree ("department_party_id","status","due_at");