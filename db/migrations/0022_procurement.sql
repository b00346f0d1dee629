CREATE TABLE "procurement_budgets" (
	"department_party_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"set_by" uuid NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "procurement_budgets_department_party_id_year_pk" PRIMARY KEY("department_party_id","year"),
	CONSTRAINT "procurement_budgets_amount" CHECK ("procurement_budgets"."amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "procurement_needs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"department_party_id" uuid NOT NULL,
	"filed_by" uuid NOT NULL,
	"status" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"duty" text NOT NULL,
	"legal_basis" text NOT NULL,
	"budget_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"term_start" date NOT NULL,
	"term_end" date NOT NULL,
	"budget_year" integer NOT NULL,
	"over_budget" boolean NOT NULL,
	"budget_at_filing_minor" bigint,
	"committed_at_filing_minor" bigint NOT NULL,
	"available_as_public_data" jsonb NOT NULL,
	"procurement_id" uuid,
	"withdrawn_reason" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "procurement_needs_budget" CHECK ("procurement_needs"."budget_minor" > 0),
	CONSTRAINT "procurement_needs_term" CHECK ("procurement_needs"."term_end" >= "procurement_needs"."term_start"),
	CONSTRAINT "procurement_needs_consolidated" CHECK (("procurement_needs"."status" = 'consolidated') = ("procurement_needs"."procurement_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "procurement_number_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "procurement_shares" (
	"procurement_id" uuid NOT NULL,
	"department_party_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"amount_minor" bigint NOT NULL,
	"committed_at" timestamp (3) with time zone,
	CONSTRAINT "procurement_shares_procurement_id_department_party_id_pk" PRIMARY KEY("procurement_id","department_party_id"),
	CONSTRAINT "procurement_shares_amount" CHECK ("procurement_shares"."amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "procurement_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "procurement_steps_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"procurement_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_user_id" uuid,
	"audit_event_id" uuid NOT NULL,
	"at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "procurements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" text NOT NULL,
	"bureau_party_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"status" text NOT NULL,
	"budget_year" integer NOT NULL,
	"listing_id" uuid NOT NULL,
	"price_plan" text NOT NULL,
	"quantity" integer NOT NULL,
	"term_start" date,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"purpose" text NOT NULL,
	"scenario" text NOT NULL,
	"safeguards" text NOT NULL,
	"order_id" uuid,
	"cancel_reason" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "procurements_number_unique" UNIQUE("number")
);
--> statement-breakpoint
ALTER TABLE "trading_orders" ADD COLUMN "procurement_id" uuid;--> statement-breakpoint
ALTER TABLE "trading_orders" ADD COLUMN "procurement_number" text;--> statement-breakpoint
ALTER TABLE "trading_orders" ADD COLUMN "beneficiary_party_ids" uuid[];--> statement-breakpoint
ALTER TABLE "procurement_budgets" ADD CONSTRAINT "procurement_budgets_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurement_needs" ADD CONSTRAINT "procurement_needs_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurement_shares" ADD CONSTRAINT "procurement_shares_procurement_id_procurements_id_fk" FOREIGN KEY ("procurement_id") REFERENCES "public"."procurements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurement_shares" ADD CONSTRAINT "procurement_shares_department_party_id_parties_id_fk" FOREIGN KEY ("department_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurement_steps" ADD CONSTRAINT "procurement_steps_procurement_id_procurements_id_fk" FOREIGN KEY ("procurement_id") REFERENCES "public"."procurements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "procurements" ADD CONSTRAINT "procurements_bureau_party_id_parties_id_fk" FOREIGN KEY ("bureau_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "procurement_needs_department_idx" ON "procurement_needs" USING btree ("department_party_id","created_at");--> statement-breakpoint
CREATE INDEX "procurement_needs_status_idx" ON "procurement_needs" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "procurement_needs_procurement_idx" ON "procurement_needs" USING btree ("procurement_id");--> statement-breakpoint
CREATE INDEX "procurement_shares_department_idx" ON "procurement_shares" USING btree ("department_party_id");--> statement-breakpoint
CREATE INDEX "procurement_steps_procurement_idx" ON "procurement_steps" USING btree ("procurement_id","seq");--> statement-breakpoint
CREATE INDEX "procurements_bureau_idx" ON "procurements" USING btree ("bureau_party_id","created_at");--> statement-breakpoint
CREATE INDEX "procurements_status_idx" ON "procurements" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "trading_orders_procurement_idx" ON "trading_orders" USING btree ("procurement_id") WHERE "trading_orders"."procurement_id" is not null;--> statement-breakpoint
ALTER TABLE "trading_orders" ADD CONSTRAINT "trading_orders_procurement_beneficiaries" CHECK (("trading_orders"."procurement_id" is null) = ("trading_orders"."beneficiary_party_ids" is null) and ("trading_orders"."procurement_id" is null) = ("trading_orders"."procurement_number" is null));