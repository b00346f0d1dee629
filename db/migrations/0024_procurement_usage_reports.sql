CREATE TABLE "procurement_usage_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"procurement_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"period" integer NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"due_date" date NOT NULL,
	"summary" text NOT NULL,
	"safeguards" text NOT NULL,
	"results" text,
	"filed_at" timestamp (3) with time zone NOT NULL,
	"filed_by" uuid NOT NULL,
	"audit_event_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "procurements" ADD COLUMN "report_every_months" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "procurement_usage_reports" ADD CONSTRAINT "procurement_usage_reports_share_fk" FOREIGN KEY ("procurement_id","department_party_id") REFERENCES "public"."procurement_shares"("procurement_id","department_party_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "procurement_usage_reports_period_idx" ON "procurement_usage_reports" USING btree ("procurement_id","department_party_id","period");