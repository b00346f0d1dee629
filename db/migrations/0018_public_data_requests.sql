CREATE TABLE "public_data_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"applicant_party_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"entry_ids" uuid[] NOT NULL,
	"approved_entry_ids" uuid[],
	"purpose" text NOT NULL,
	"scenario" text,
	"safeguards" text,
	"basis" text,
	"scope" text,
	"manner" text,
	"term_start" date NOT NULL,
	"term_end" date NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"answer_days" integer NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"due_date" date NOT NULL,
	"deadline_provisional" boolean NOT NULL,
	"calendar_versions" jsonb NOT NULL,
	"extension" jsonb,
	"overdue_at" timestamp (3) with time zone,
	"answered_at" timestamp (3) with time zone,
	"answer" jsonb,
	"agreement_id" uuid,
	"created_by" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "public_data_requests" ADD CONSTRAINT "public_data_requests_applicant_party_id_parties_id_fk" FOREIGN KEY ("applicant_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_requests" ADD CONSTRAINT "public_data_requests_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "public_data_requests_department_idx" ON "public_data_requests" USING btree ("department_party_id","received_at");--> statement-breakpoint
CREATE INDEX "public_data_requests_applicant_idx" ON "public_data_requests" USING btree ("applicant_party_id","received_at");--> statement-breakpoint
CREATE INDEX "public_data_requests_due_idx" ON "public_data_requests" USING btree ("state","due_at");