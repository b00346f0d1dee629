CREATE TABLE "public_data_usage_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"user_party_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"ground" text NOT NULL,
	"details" text NOT NULL,
	"period" integer,
	"outcome_id" uuid,
	"correct_by" date NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"issued_by" uuid NOT NULL,
	"issued_as" text NOT NULL,
	"state" text NOT NULL,
	"correction" jsonb,
	"decision" jsonb,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_outcomes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"user_party_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"reference" text,
	"citation" text,
	"cited_at" timestamp (3) with time zone,
	"registered_at" timestamp (3) with time zone NOT NULL,
	"registered_by" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_data_usage_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"period" integer NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"due_date" date NOT NULL,
	"summary" text NOT NULL,
	"safeguards" text NOT NULL,
	"results" text,
	"filed_at" timestamp (3) with time zone NOT NULL,
	"filed_by" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "public_data_requests" ADD COLUMN "report_every_months" integer;--> statement-breakpoint
ALTER TABLE "public_data_usage_orders" ADD CONSTRAINT "public_data_usage_orders_request_id_public_data_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."public_data_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_usage_orders" ADD CONSTRAINT "public_data_usage_orders_user_party_id_parties_id_fk" FOREIGN KEY ("user_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_usage_orders" ADD CONSTRAINT "public_data_usage_orders_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_usage_orders" ADD CONSTRAINT "public_data_usage_orders_outcome_id_public_data_outcomes_id_fk" FOREIGN KEY ("outcome_id") REFERENCES "public"."public_data_outcomes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_outcomes" ADD CONSTRAINT "public_data_outcomes_request_id_public_data_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."public_data_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_outcomes" ADD CONSTRAINT "public_data_outcomes_user_party_id_parties_id_fk" FOREIGN KEY ("user_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_outcomes" ADD CONSTRAINT "public_data_outcomes_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "public_data_usage_reports" ADD CONSTRAINT "public_data_usage_reports_request_id_public_data_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."public_data_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "public_data_usage_orders_request_idx" ON "public_data_usage_orders" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "public_data_usage_orders_user_idx" ON "public_data_usage_orders" USING btree ("user_party_id","issued_at");--> statement-breakpoint
CREATE INDEX "public_data_usage_orders_department_idx" ON "public_data_usage_orders" USING btree ("department_party_id","issued_at");--> statement-breakpoint
CREATE INDEX "public_data_outcomes_request_idx" ON "public_data_outcomes" USING btree ("request_id","registered_at");--> statement-breakpoint
CREATE INDEX "public_data_outcomes_department_idx" ON "public_data_outcomes" USING btree ("department_party_id");--> statement-breakpoint
CREATE UNIQUE INDEX "public_data_usage_reports_period_idx" ON "public_data_usage_reports" USING btree ("request_id","period");